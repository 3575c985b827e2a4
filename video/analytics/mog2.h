#ifdef __cplusplus
extern "C" {
#endif
typedef void* WPMog2;
WPMog2 wp_mog2_new(int history, double var_threshold);
void wp_mog2_apply(WPMog2 m, void* src, void* dst, double learning_rate);
void wp_mog2_free(WPMog2 m);
#ifdef __cplusplus
}
#endif
