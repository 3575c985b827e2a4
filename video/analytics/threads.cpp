#include <opencv2/core.hpp>
#include "threads.h"

void analytics_set_num_threads(int n) { cv::setNumThreads(n); }
int analytics_get_num_threads(void) { return cv::getNumThreads(); }
