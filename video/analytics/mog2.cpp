#include <opencv2/video.hpp>
#include "mog2.h"

// gocv v0.25.0 binds MOG2's apply without its learning rate; this is the same call with it.

struct wp_mog2 { cv::Ptr<cv::BackgroundSubtractorMOG2> p; };

WPMog2 wp_mog2_new(int history, double var_threshold) {
    wp_mog2* m = new wp_mog2;
    m->p = cv::createBackgroundSubtractorMOG2(history, var_threshold, false);
    return m;
}

void wp_mog2_apply(WPMog2 m, void* src, void* dst, double learning_rate) {
    static_cast<wp_mog2*>(m)->p->apply(*static_cast<cv::Mat*>(src), *static_cast<cv::Mat*>(dst), learning_rate);
}

void wp_mog2_free(WPMog2 m) { delete static_cast<wp_mog2*>(m); }
