#include "tftp/file_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <vector>

#include "tftp/packet.h"

namespace opencapf::tftp {

FileLookup FileLookup::Found(std::shared_ptr<const Bytes> bytes, std::time_t modified) {
  FileLookup out;
  out.bytes = std::move(bytes);
  out.modified = modified;
  return out;
}

FileLookup FileLookup::Refused(FileError error, std::string message) {
  FileLookup out;
  out.error = error;
  out.message = std::move(message);
  return out;
}

namespace {

constexpr std::size_t kMaxNameLength = 1024;
constexpr int kMaxSymlinks = 40;  // as the kernel's MAXSYMLINKS

// Owns one file descriptor.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = other.fd_;
      other.fd_ = -1;
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Reset(); }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

 private:
  void Reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int fd_;
};

std::deque<std::string> Split(std::string_view path) {
  std::deque<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    out.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

DirectorySource::DirectorySource(std::filesystem::path root, std::uint64_t max_file_size)
    : root_(std::move(root)), max_file_size_(max_file_size) {}

FileLookup DirectorySource::Open(std::string_view name) const {
  const std::string shown = Printable(name);
  auto refuse = [&](FileError error, const std::string& why) {
    return FileLookup::Refused(error,
                               (shown.empty() ? std::string("(empty name)") : shown) + ": " + why);
  };
  auto errno_text = [] { return std::string(std::strerror(errno)); };

  if (name.empty()) return refuse(FileError::kAccessViolation, "an empty name names no file");
  if (name.find('\0') != std::string_view::npos) {
    return refuse(FileError::kAccessViolation, "a file name cannot contain a NUL byte");
  }
  if (name.size() > kMaxNameLength) {
    return refuse(FileError::kAccessViolation,
                  "names longer than " + std::to_string(kMaxNameLength) + " bytes are refused");
  }
  if (name.front() == '/') {
    return refuse(FileError::kAccessViolation,
                  "absolute paths are refused; ask for a name relative to the TFTP root");
  }
  std::deque<std::string> pending = Split(name);
  for (const std::string& component : pending) {
    if (component == "..") {
      return refuse(FileError::kAccessViolation,
                    "a '..' component is refused; names stay inside the TFTP root");
    }
  }

  // The stack of directories walked so far; the root is at the bottom and is never popped.
  // `walked` holds their names below the root, for the path the file is found at.
  std::vector<Fd> dirs;
  std::vector<std::string> walked;
  dirs.emplace_back(::open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dirs.back().valid()) {
    return refuse(FileError::kUnavailable,
                  "the server's TFTP root cannot be opened (" + errno_text() + ")");
  }

  int links = 0;
  while (!pending.empty()) {
    std::string component = std::move(pending.front());
    pending.pop_front();
    if (component.empty() || component == ".") continue;
    if (component == "..") {  // only ever from a symbolic link's target
      if (dirs.size() == 1) {
        return refuse(FileError::kAccessViolation,
                      "a symbolic link on the way leads out of the TFTP root");
      }
      dirs.pop_back();
      walked.pop_back();
      continue;
    }
    const int dir = dirs.back().get();
    struct stat st {};
    if (::fstatat(dir, component.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) return refuse(FileError::kNotFound, "no such file");
      if (errno == EACCES) return refuse(FileError::kAccessViolation, "permission denied");
      return refuse(FileError::kUnavailable, "cannot look it up (" + errno_text() + ")");
    }
    const bool more = std::any_of(pending.begin(), pending.end(),
                                  [](const std::string& c) { return !c.empty() && c != "."; });

    if (S_ISLNK(st.st_mode)) {
      if (++links > kMaxSymlinks) {
        return refuse(FileError::kAccessViolation, "too many symbolic links on the way");
      }
      char target[PATH_MAX];
      const ssize_t n = ::readlinkat(dir, component.c_str(), target, sizeof(target) - 1);
      if (n < 0) {
        return refuse(FileError::kAccessViolation,
                      "a symbolic link on the way cannot be read (" + errno_text() + ")");
      }
      std::string_view link(target, static_cast<std::size_t>(n));
      if (link.empty()) return refuse(FileError::kNotFound, "no such file");
      std::deque<std::string> expanded;
      if (link.front() == '/') {
        // Absolute: acceptable only if it points into the root, as the root is really named.
        char real_root[PATH_MAX];
        if (::realpath(root_.c_str(), real_root) == nullptr) {
          return refuse(FileError::kUnavailable,
                        "the server's TFTP root cannot be resolved (" + errno_text() + ")");
        }
        std::string_view base(real_root);
        const bool inside = link.substr(0, base.size()) == base &&
                            (link.size() == base.size() || link[base.size()] == '/' || base == "/");
        if (!inside) {
          return refuse(FileError::kAccessViolation,
                        "a symbolic link on the way leads out of the TFTP root");
        }
        dirs.resize(1);
        walked.clear();
        expanded = Split(link.substr(base.size()));
      } else {
        expanded = Split(link);
      }
      pending.insert(pending.begin(), expanded.begin(), expanded.end());
      continue;
    }

    if (S_ISDIR(st.st_mode)) {
      Fd next(::openat(dir, component.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!next.valid()) {
        if (errno == ELOOP || errno == ENOTDIR) {
          return refuse(FileError::kAccessViolation, "the path changed while it was looked up");
        }
        if (errno == ENOENT) return refuse(FileError::kNotFound, "no such file");
        return refuse(FileError::kUnavailable, "cannot open a directory (" + errno_text() + ")");
      }
      dirs.push_back(std::move(next));
      walked.push_back(component);
      continue;
    }

    if (more) return refuse(FileError::kNotFound, "no such file (a file is used as a directory)");
    if (!S_ISREG(st.st_mode)) {
      return refuse(FileError::kAccessViolation, "not a regular file");
    }
    // O_NOFOLLOW: a symlink swapped in since fstatat fails with ELOOP instead of being followed;
    // O_NONBLOCK: a FIFO swapped in cannot make us wait.
    Fd file(::openat(dir, component.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!file.valid()) {
      if (errno == ELOOP) {
        return refuse(FileError::kAccessViolation, "the path changed while it was looked up");
      }
      if (errno == ENOENT) return refuse(FileError::kNotFound, "no such file");
      if (errno == EACCES) return refuse(FileError::kAccessViolation, "permission denied");
      return refuse(FileError::kUnavailable, "cannot open (" + errno_text() + ")");
    }
    if (::fstat(file.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
      return refuse(FileError::kAccessViolation, "not a regular file");
    }
    const std::time_t modified = st.st_mtime;
    const std::uint64_t size = static_cast<std::uint64_t>(st.st_size);
    auto too_large = [&] {
      return refuse(FileError::kUnavailable, "larger than the " + std::to_string(max_file_size_) +
                                                 "-byte limit for files served over TFTP");
    };
    if (size > max_file_size_) return too_large();
    // Read to the end, not just st_size bytes: a file that grows while it is read is caught by
    // the limit instead of being cut at an arbitrary point.
    Bytes out(static_cast<std::size_t>(size) + 1);
    std::size_t done = 0;
    while (true) {
      if (done == out.size()) {
        if (out.size() > max_file_size_) return too_large();
        out.resize(std::min<std::size_t>(out.size() * 2, max_file_size_ + 1));
      }
      const ssize_t n = ::read(file.get(), out.data() + done, out.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return refuse(FileError::kUnavailable, "cannot read (" + errno_text() + ")");
      if (n == 0) break;
      done += static_cast<std::size_t>(n);
    }
    if (done > max_file_size_) return too_large();
    out.resize(done);
    FileLookup found = FileLookup::Found(std::make_shared<const Bytes>(std::move(out)), modified);
    found.file_name = component;
    for (const std::string& directory : walked) found.path += directory + "/";
    found.path += component;
    found.links = static_cast<std::uint64_t>(st.st_nlink);
    found.identity = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" +
                     std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
                     std::to_string(st.st_mtim.tv_nsec);
    return found;
  }
  return refuse(FileError::kNotFound, "is a directory, not a file");
}

PublishedFiles::PublishedFiles(std::shared_ptr<const FileSource> fallback)
    : fallback_(std::move(fallback)) {}

void PublishedFiles::Publish(std::string_view name, Bytes bytes) {
  Publish(name, std::make_shared<const Bytes>(std::move(bytes)));
}

void PublishedFiles::Publish(std::string_view name, std::shared_ptr<const Bytes> bytes) {
  std::string key = Lower(name);
  const std::time_t now = std::time(nullptr);
  std::lock_guard lock(mutex_);
  Entry& entry = files_[std::move(key)];
  const bool same = entry.bytes && bytes && *entry.bytes == *bytes;
  if (!same) entry.published = now;
  entry.bytes.swap(bytes);
  // `bytes` now holds the previous snapshot: released after the lock, kept alive by the
  // transfers still sending it.
}

bool PublishedFiles::Unpublish(std::string_view name) {
  std::lock_guard lock(mutex_);
  return files_.erase(Lower(name)) > 0;
}

std::shared_ptr<const Bytes> PublishedFiles::Published(std::string_view name) const {
  const std::string key = Lower(name);
  std::lock_guard lock(mutex_);
  auto it = files_.find(key);
  return it == files_.end() ? nullptr : it->second.bytes;
}

FileLookup PublishedFiles::Open(std::string_view name) const {
  {
    const std::string key = Lower(name);
    std::lock_guard lock(mutex_);
    auto it = files_.find(key);
    if (it != files_.end()) return FileLookup::Found(it->second.bytes, it->second.published);
  }
  if (fallback_) return fallback_->Open(name);
  return FileLookup::Refused(FileError::kNotFound, Printable(name) + ": no such file");
}

}  // namespace opencapf::tftp
