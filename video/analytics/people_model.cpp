#include <opencv2/objdetect.hpp>
#include <algorithm>
#include "people_model.h"

// Copies OpenCV's default people detector (the SVM weights) into out, up to cap values,
// and returns how many there are.
int analytics_people_detector(float *out, int cap) {
    std::vector<float> d = cv::HOGDescriptor::getDefaultPeopleDetector();
    std::copy(d.begin(), d.begin() + std::min<size_t>(d.size(), (size_t)cap), out);
    return (int)d.size();
}
