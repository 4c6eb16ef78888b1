#pragma once

// Test support: the real programs a test drives (curl, tftp-hpa, openssl), started and waited
// for without a shell.
#include <string>
#include <vector>

namespace opencapf::testing {

/// Starts `argv` (argv[0] looked up in PATH) with stdin from /dev/null and stdout and stderr
/// sent to files ("" for /dev/null); returns its pid. Throws when it cannot be started.
int Spawn(const std::vector<std::string>& argv, const std::string& stdout_path = "",
          const std::string& stderr_path = "");
/// Waits for `pid`; its exit code, or 128 + signal.
int Wait(int pid);
/// Spawn + Wait.
int RunProcess(const std::vector<std::string>& argv, const std::string& stdout_path = "",
               const std::string& stderr_path = "");
/// True if `program` is found in PATH.
bool InPath(const std::string& program);

}  // namespace opencapf::testing
