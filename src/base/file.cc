#include "base/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace opencapf {

namespace {
std::string Why() { return std::strerror(errno); }
}  // namespace

Result<Bytes> ReadFile(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fail(path.string() + ": cannot open: " + Why());
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    std::string why = Why();
    ::close(fd);
    return Fail(path.string() + ": cannot stat: " + why);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Fail(path.string() + ": is a directory, not a file");
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Fail(path.string() + ": is not a regular file");
  }
  Bytes out(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::read(fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string why = Why();
      ::close(fd);
      return Fail(path.string() + ": cannot read: " + why);
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  out.resize(done);
  ::close(fd);
  return out;
}

Status WriteFileAtomic(const std::filesystem::path& path, ByteView data, unsigned mode) {
  std::filesystem::path tmp = path;
  tmp += ".tmp-" + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Fail(path.string() + ": cannot create: " + Why());
  // open() honours the umask; make the mode exactly what was asked for.
  if (::fchmod(fd, mode) != 0) {
    std::string why = Why();
    ::close(fd);
    ::unlink(tmp.c_str());
    return Fail(path.string() + ": cannot set mode: " + why);
  }
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string why = Why();
      ::close(fd);
      ::unlink(tmp.c_str());
      return Fail(path.string() + ": cannot write: " + why);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    std::string why = Why();
    ::unlink(tmp.c_str());
    return Fail(path.string() + ": cannot flush: " + why);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string why = Why();
    ::unlink(tmp.c_str());
    return Fail(path.string() + ": cannot rename into place: " + why);
  }
  return Status::Ok();
}

}  // namespace opencapf
