#include "lib/os_thread.h"

#include <cstring>

namespace fiberscope {

std::string OsThread::Describe(const char* what, int status) {
  return std::string("could not start ") + what + ": " + strerror(status);
}

}  // namespace fiberscope
