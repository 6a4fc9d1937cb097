// Running rulecheck from the cli_*_test programs: the real binary, its stdout, stderr,
// exit status and peak memory, with input from a string, a file or a live pipe.
#ifndef TRIAGE_TESTS_CLI_RUN_HPP
#define TRIAGE_TESTS_CLI_RUN_HPP

#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

extern char** environ;

namespace cli_test {

namespace fs = std::filesystem;

/// A scratch directory for this test process, removed at exit.
inline const fs::path& scratch() {
  static const fs::path dir = [] {
    std::string tmpl = (fs::temp_directory_path() / "cli_test.XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    return fs::path(tmpl);
  }();
  static const struct cleanup {
    ~cleanup() {
      std::error_code ignored;
      fs::remove_all(dir, ignored);
    }
  } at_exit;
  return dir;
}

inline std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline void write_all(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  REQUIRE(out.good());
}

/// Writes a file into the scratch directory and returns its path.
inline std::string scratch_file(const std::string& name, std::string_view text) {
  const fs::path path = scratch() / name;
  write_all(path, text);
  return path.string();
}

/// Returns the path of a file of the source tree, e.g. "examples/routing.rules".
inline std::string source_path(std::string_view relative) {
  return (fs::path(TRIAGE_SOURCE_DIR) / relative).string();
}

struct run_result {
  int status = -1;       ///< the exit status, or 128 + the signal that killed it
  std::string out;
  std::string err;
  long max_rss_kb = 0;   ///< the process's peak resident memory
};

namespace detail {

// A program's arguments: rulecheck's, unless they start with "exec:PATH".
inline std::vector<std::string> argv_of(const std::vector<std::string>& args) {
  if (!args.empty() && args.front().starts_with("exec:")) {
    std::vector<std::string> argv{args.front().substr(5)};
    argv.insert(argv.end(), args.begin() + 1, args.end());
    return argv;
  }
  std::vector<std::string> argv{TRIAGE_RULECHECK};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

// The environment without NO_COLOR and TERM, so results do not depend on who runs them.
inline std::vector<std::string> clean_environment() {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    if (!entry.starts_with("NO_COLOR=") && !entry.starts_with("TERM=")) env.emplace_back(entry);
  }
  return env;
}

inline std::vector<char*> pointers(std::vector<std::string>& text) {
  std::vector<char*> out;
  for (std::string& s : text) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

inline pid_t spawn(const std::vector<std::string>& args, posix_spawn_file_actions_t& actions) {
  std::vector<std::string> argv_text = argv_of(args);
  std::vector<std::string> env_text = clean_environment();
  std::vector<char*> argv = pointers(argv_text);
  std::vector<char*> envp = pointers(env_text);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE(spawned == 0);
  return pid;
}

// Waits for the child; returns its status and peak memory.
inline void reap(pid_t pid, run_result& result) {
  int status = 0;
  rusage usage{};
  pid_t waited = -1;
  do {
    waited = wait4(pid, &status, 0, &usage);
  } while (waited < 0 && errno == EINTR);
  REQUIRE(waited == pid);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.max_rss_kb = usage.ru_maxrss;
}

}  // namespace detail

/// Runs rulecheck with `input` on stdin; stdout and stderr go through files so that
/// neither pipe can fill up and block.
inline run_result rulecheck(const std::vector<std::string>& args, std::string_view input = {}) {
  const fs::path in = scratch() / "stdin.txt";
  const fs::path out = scratch() / "stdout.txt";
  const fs::path err = scratch() / "stderr.txt";
  write_all(in, input);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const pid_t pid = detail::spawn(args, actions);
  run_result result;
  detail::reap(pid, result);
  result.out = read_all(out);
  result.err = read_all(err);
  return result;
}

/// rulecheck (or, when the first argument is "exec:PATH", another program) running with a
/// pipe on stdin (and, when `capture_stdout`, a pipe on stdout;
/// otherwise stdout is discarded). Lets a test feed input a piece at a time.
class live_rulecheck {
 public:
  live_rulecheck(const std::vector<std::string>& args, bool capture_stdout) {
    std::signal(SIGPIPE, SIG_IGN);  // a child that dies early must fail a check, not kill us
    int in_pipe[2];
    REQUIRE(pipe2(in_pipe, O_CLOEXEC) == 0);
    int out_pipe[2] = {-1, -1};
    if (capture_stdout) REQUIRE(pipe2(out_pipe, O_CLOEXEC) == 0);
    const fs::path err = scratch() / "live_stderr.txt";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
    if (capture_stdout) {
      posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    } else {
      posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    }
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_ = detail::spawn(args, actions);
    ::close(in_pipe[0]);
    in_ = in_pipe[1];
    if (capture_stdout) {
      ::close(out_pipe[1]);
      out_ = out_pipe[0];
    }
  }
  live_rulecheck(const live_rulecheck&) = delete;
  live_rulecheck& operator=(const live_rulecheck&) = delete;
  ~live_rulecheck() {
    close_input();
    if (out_ >= 0) ::close(out_);
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      run_result ignored;
      detail::reap(pid_, ignored);
    }
  }

  /// Writes all of `text` to the child's stdin; false if the child stopped reading.
  bool write(std::string_view text) {
    while (!text.empty()) {
      const ssize_t n = ::write(in_, text.data(), text.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      text.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  /// Reads one line from the child's stdout, waiting at most `timeout_ms` for it; returns
  /// what arrived (without the line end) or "<timeout>".
  std::string read_line(int timeout_ms) {
    for (;;) {
      if (const std::size_t nl = pending_.find('\n'); nl != std::string::npos) {
        std::string line = pending_.substr(0, nl);
        pending_.erase(0, nl + 1);
        return line;
      }
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, timeout_ms) <= 0) return "<timeout>";
      char buffer[4096];
      const ssize_t n = ::read(out_, buffer, sizeof buffer);
      if (n <= 0) return "<end>";
      pending_.append(buffer, static_cast<std::size_t>(n));
    }
  }

  void close_input() {
    if (in_ >= 0) ::close(in_);
    in_ = -1;
  }

  /// Closes stdin and waits for the child to exit.
  run_result finish() {
    close_input();
    run_result result;
    detail::reap(pid_, result);
    pid_ = -1;
    result.err = read_all(scratch() / "live_stderr.txt");
    return result;
  }

 private:
  pid_t pid_ = -1;
  int in_ = -1;
  int out_ = -1;
  std::string pending_;
};

/// Splits text into lines (without their "\n").
inline std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    lines.emplace_back(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
  }
  return lines;
}

/// Compares output with tests/golden/NAME. TRIAGE_UPDATE_GOLDEN=1 rewrites the file
/// instead (then read every changed line before committing it).
inline void check_golden(const std::string& name, const std::string& actual) {
  const fs::path path = fs::path(TRIAGE_SOURCE_DIR) / "tests" / "golden" / name;
  if (std::getenv("TRIAGE_UPDATE_GOLDEN") != nullptr) {
    fs::create_directories(path.parent_path());
    write_all(path, actual);
    MESSAGE("rewrote " << path.string());
    return;
  }
  REQUIRE_MESSAGE(fs::exists(path), "missing golden file " << path.string());
  CHECK(read_all(path) == actual);
}

}  // namespace cli_test

#endif  // TRIAGE_TESTS_CLI_RUN_HPP
