#ifdef __cplusplus
extern "C" {
#endif
void analytics_set_num_threads(int n);
int analytics_get_num_threads(void);
#ifdef __cplusplus
}
#endif
