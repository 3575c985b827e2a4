#ifdef __cplusplus
extern "C" {
#endif
int analytics_people_detector(float *out, int cap);
#ifdef __cplusplus
}
#endif
