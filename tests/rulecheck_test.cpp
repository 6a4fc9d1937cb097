// rulecheck, run as users run it: the real binary, its stdout, stderr and exit status.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <simdjson.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "triage/version.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;

struct run_result {
  int status = -1;  ///< the exit status, or 128 + the signal that killed it
  std::string out;
  std::string err;
};

struct run_options {
  std::string input;             ///< standard input
  std::vector<std::string> env;  ///< extra NAME=VALUE entries
  fs::path cwd;                  ///< working directory, if not empty
};

run_options with_input(std::string_view input) {
  run_options options;
  options.input = input;
  return options;
}

run_options with_env(std::string entry) {
  run_options options;
  options.env.push_back(std::move(entry));
  return options;
}

run_options in_dir(fs::path dir) {
  run_options options;
  options.cwd = std::move(dir);
  return options;
}

// A scratch directory for this test process, removed at exit.
const fs::path& scratch() {
  static const fs::path dir = [] {
    std::string tmpl = (fs::temp_directory_path() / "rulecheck_test.XXXXXX").string();
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

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_all(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  REQUIRE(out.good());
}

// Writes a policy into the scratch directory and returns its path.
std::string policy_file(const std::string& name, std::string_view text) {
  const fs::path path = scratch() / name;
  write_all(path, text);
  return path.string();
}

// Runs rulecheck with stdout and stderr captured separately (through files, so neither
// pipe can fill up and block). NO_COLOR and TERM are removed from the environment so
// that results do not depend on who runs the tests.
run_result rulecheck(const std::vector<std::string>& args, const run_options& options = {}) {
  const fs::path in = scratch() / "stdin.txt";
  const fs::path out = scratch() / "stdout.txt";
  const fs::path err = scratch() / "stderr.txt";
  write_all(in, options.input);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (!options.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, options.cwd.c_str());

  std::vector<std::string> argv_text{TRIAGE_RULECHECK};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);

  std::vector<std::string> env_text;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    if (!entry.starts_with("NO_COLOR=") && !entry.starts_with("TERM="))
      env_text.emplace_back(entry);
  }
  env_text.insert(env_text.end(), options.env.begin(), options.env.end());
  std::vector<char*> envp;
  for (std::string& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE(spawned == 0);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);

  run_result result;
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = read_all(out);
  result.err = read_all(err);
  return result;
}

std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    lines.emplace_back(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
  }
  return lines;
}

// A line diff (longest common subsequence) in the style of `diff -u`, without hunks:
// "-" lines are only in the expected text, "+" lines only in the actual one.
std::string line_diff(std::string_view expected, std::string_view actual) {
  const std::vector<std::string> a = lines_of(expected);
  const std::vector<std::string> b = lines_of(actual);
  std::vector<std::vector<std::size_t>> lcs(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = a.size(); i-- > 0;) {
    for (std::size_t j = b.size(); j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::string diff;
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() || j < b.size()) {
    if (i < a.size() && j < b.size() && a[i] == b[j]) {
      diff += " " + a[i++] + "\n";
      ++j;
    } else if (j < b.size() && (i == a.size() || lcs[i][j + 1] >= lcs[i + 1][j])) {
      diff += "+" + b[j++] + "\n";
    } else {
      diff += "-" + a[i++] + "\n";
    }
  }
  return diff;
}

// Compares output with tests/golden/NAME. TRIAGE_UPDATE_GOLDEN=1 rewrites the file
// instead (then read every changed line before committing it).
void check_golden(const std::string& name, const std::string& actual) {
  const fs::path path = fs::path(TRIAGE_SOURCE_DIR) / "tests" / "golden" / name;
  if (std::getenv("TRIAGE_UPDATE_GOLDEN") != nullptr) {
    write_all(path, actual);
    MESSAGE("rewrote " << path.string());
    return;
  }
  REQUIRE_MESSAGE(fs::exists(path), "missing golden file " << path.string());
  const std::string expected = read_all(path);
  if (expected != actual) {
    FAIL_CHECK("output differs from " << path.string() << " (- expected, + actual):\n"
                                      << line_diff(expected, actual));
  }
}

// Parses JSON with simdjson and returns an object's keys in order.
std::vector<std::string> keys_of(simdjson::dom::object object) {
  std::vector<std::string> keys;
  for (const auto field : object) keys.emplace_back(field.key);
  return keys;
}

constexpr std::string_view valid_policy =
    "field urgency: enum { low, high } required\n"
    "output urgent: flag\n"
    "urgent if urgency == high\n";

// Valid, with one unused field: a warning and nothing else.
constexpr std::string_view warning_policy =
    "field urgency: enum { low, high } required\n"
    "field sla: duration\n"
    "output urgent: flag\n"
    "urgent if urgency == high\n";

// Two errors: a misspelled field and an unknown enum member ('sla' is not reported unused:
// the checker reports no unused declarations in a policy with errors).
constexpr std::string_view error_policy =
    "field urgency: enum { low, high } required\n"
    "field sla: duration\n"
    "output urgent: flag\n"
    "urgent if slaa < 2h\n"
    "urgent if urgency == hihg\n";

}  // namespace

TEST_CASE("--version prints the library's version") {
  const run_result r = rulecheck({"--version"});
  CHECK(r.status == 0);
  CHECK(r.out == std::string("rulecheck ") + TRIAGE_VERSION_STRING + "\n");
  CHECK(r.err.empty());
}

TEST_CASE("--help lists the commands on stdout") {
  const run_result r = rulecheck({"--help"});
  CHECK(r.status == 0);
  CHECK(r.out.starts_with("usage: rulecheck COMMAND [ARGS...]\n"));
  CHECK(r.out.find("\n  check     validate policies") != std::string::npos);
  CHECK(r.err.empty());
  CHECK(rulecheck({"help"}).out == r.out);
}

TEST_CASE("a command's help is the same from 'help CMD' and 'CMD --help'") {
  const run_result by_help = rulecheck({"help", "check"});
  const run_result by_flag = rulecheck({"check", "--help"});
  CHECK(by_help.status == 0);
  CHECK(by_flag.status == 0);
  CHECK(by_help.out.starts_with("usage: rulecheck check FILE... [--format text|json|sarif]"));
  CHECK(by_help.out == by_flag.out);
  CHECK(rulecheck({"check", "-h"}).out == by_help.out);
}

TEST_CASE("bad usage prints a message and the usage on stderr and exits with 2") {
  SUBCASE("no command") {
    const run_result r = rulecheck({});
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(r.err.starts_with("rulecheck: error: no command given\n\nusage: rulecheck COMMAND"));
  }
  SUBCASE("an unknown command") {
    const run_result r = rulecheck({"chek", "a.rules"});
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(r.err.starts_with("rulecheck: error: unknown command 'chek'\n"));
  }
  SUBCASE("an unknown top-level option") {
    const run_result r = rulecheck({"--verbose"});
    CHECK(r.status == 2);
    CHECK(r.err.starts_with("rulecheck: error: unknown option '--verbose'\n"));
  }
  SUBCASE("help for an unknown command") {
    const run_result r = rulecheck({"help", "frobnicate"});
    CHECK(r.status == 2);
    CHECK(r.err.starts_with("rulecheck: error: unknown command 'frobnicate'\n"));
  }
  SUBCASE("an unknown option of check") {
    const run_result r = rulecheck({"check", "--frmat", "json", "a.rules"});
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(r.err ==
          "rulecheck: error: unknown option '--frmat'\n"
          "usage: rulecheck check FILE... [--format text|json|sarif] [--werror] "
          "[--color auto|always|never]\n"
          "run 'rulecheck help check' for more\n");
  }
  SUBCASE("check without a file") {
    const run_result r = rulecheck({"check", "--werror"});
    CHECK(r.status == 2);
    CHECK(r.err.starts_with("rulecheck: error: no policy file given\n"));
  }
  SUBCASE("an unknown format") {
    const run_result r = rulecheck({"check", "--format=xml", "a.rules"});
    CHECK(r.status == 2);
    CHECK(r.err.starts_with(
        "rulecheck: error: unknown format 'xml'; expected text, json or sarif\n"));
  }
  SUBCASE("an option missing its value") {
    const run_result r = rulecheck({"check", "a.rules", "--format"});
    CHECK(r.status == 2);
    CHECK(r.err.starts_with("rulecheck: error: option '--format' needs a value\n"));
  }
  SUBCASE("a flag given a value") {
    const run_result r = rulecheck({"check", "a.rules", "--werror=yes"});
    CHECK(r.status == 2);
    CHECK(r.err.starts_with("rulecheck: error: option '--werror' takes no value\n"));
  }
  SUBCASE("an unknown colour mode") {
    const run_result r = rulecheck({"check", "a.rules", "--color=sometimes"});
    CHECK(r.status == 2);
    CHECK(r.err.starts_with("rulecheck: error: unknown colour mode 'sometimes'"));
  }
}

TEST_CASE("a file that cannot be read stops check with exit status 2 and no output") {
  const std::string good = policy_file("good.rules", valid_policy);
  SUBCASE("a missing file") {
    const std::string missing = (scratch() / "missing.rules").string();
    const run_result r = rulecheck({"check", "--format", "json", good, missing});
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(r.err == "rulecheck: error: cannot read '" + missing + "': No such file or directory\n");
  }
  SUBCASE("a directory") {
    const run_result r = rulecheck({"check", scratch().string()});
    CHECK(r.status == 2);
    CHECK(r.err == "rulecheck: error: cannot read '" + scratch().string() + "': Is a directory\n");
  }
}

TEST_CASE("a policy over the size limit is an error naming its real size") {
  const std::size_t limit = std::size_t{16} << 20;  // triage::limits::max_file_bytes
  const std::string text = "# " + std::string(limit + 8, 'x') + "\n";  // limit + 11 bytes
  const std::string path = policy_file("huge.rules", text);
  const run_result r = rulecheck({"check", "--format", "json", path});
  CHECK(r.status == 1);
  CHECK(r.out == R"({"file": ")" + path +
                     R"(", "line": 1, "column": 1, "end_column": 1, "severity": "error", )"
                     R"("code": "limit-exceeded", "message": "policy is 16777227 bytes, over )"
                     R"(the limit max_file_bytes = 16777216", "notes": [], "example": null})"
                     "\n");
  const run_result piped = rulecheck({"check", "--format", "json", "-"}, with_input(text));
  CHECK(piped.status == 1);
  CHECK(piped.out.find(R"("message": "policy is more than 16777216 bytes, over the limit )"
                       R"(max_file_bytes = 16777216")") != std::string::npos);
}

TEST_CASE("a valid policy checks ok with exit status 0") {
  const std::string path = policy_file("valid.rules", valid_policy);
  const run_result r = rulecheck({"check", path});
  CHECK(r.status == 0);
  CHECK(r.out.empty());
  CHECK(r.err == "ok\n");
  SUBCASE("json prints nothing on stdout") {
    const run_result json = rulecheck({"check", "--format", "json", path});
    CHECK(json.status == 0);
    CHECK(json.out.empty());
    CHECK(json.err == "ok\n");
  }
}

TEST_CASE("the policy can come from standard input") {
  const run_result r = rulecheck({"check", "-", "--format=json"}, with_input(error_policy));
  CHECK(r.status == 1);
  simdjson::dom::parser parser;
  for (const std::string& line : lines_of(r.out)) {
    CHECK(std::string_view(parser.parse(line)["file"].get_string().value()) == "<stdin>");
  }
  CHECK(r.err == "2 errors, 0 warnings\n");
}

TEST_CASE("warnings keep exit status 0 unless --werror makes them errors") {
  const std::string path = policy_file("warning.rules", warning_policy);
  const run_result plain = rulecheck({"check", path});
  CHECK(plain.status == 0);
  CHECK(plain.err.find(": warning[unused-declaration]: ") != std::string::npos);
  CHECK(plain.err.ends_with("\n0 errors, 1 warning\n"));

  const run_result strict = rulecheck({"check", "--werror", path});
  CHECK(strict.status == 1);
  CHECK(strict.err.find(": error[unused-declaration]: ") != std::string::npos);
  CHECK(strict.err.ends_with("\n1 error, 0 warnings\n"));

  const run_result json = rulecheck({"check", path, "--werror", "--format", "json"});
  CHECK(json.status == 1);
  simdjson::dom::parser parser;
  CHECK(std::string_view(parser.parse(json.out)["severity"].get_string().value()) == "error");
}

TEST_CASE("errors give exit status 1 and the summary counts every file") {
  const std::string bad = policy_file("bad.rules", error_policy);
  const std::string warn = policy_file("warn.rules", warning_policy);
  const run_result r = rulecheck({"check", bad, warn});
  CHECK(r.status == 1);
  CHECK(r.out.empty());
  CHECK(r.err.find(bad + ":4:11: error[unknown-name]: ") != std::string::npos);
  CHECK(r.err.find(bad + ":5:22: error[") != std::string::npos);
  CHECK(r.err.find(warn + ":2:7: warning[unused-declaration]: ") != std::string::npos);
  CHECK(r.err.ends_with("\n2 errors, 1 warning\n"));
}

TEST_CASE("--format json writes one object a finding on stdout with the contract's keys") {
  const std::string bad = policy_file("bad.rules", error_policy);
  const run_result r = rulecheck({"check", "--format", "json", bad});
  CHECK(r.status == 1);
  CHECK(r.err == "2 errors, 0 warnings\n");
  const std::vector<std::string> lines = lines_of(r.out);
  REQUIRE(lines.size() == 2);
  simdjson::dom::parser parser;
  const std::vector<std::string> keys{"file", "line",    "column", "end_column", "severity",
                                      "code", "message", "notes",  "example"};
  for (const std::string& line : lines) {
    const simdjson::dom::object object = parser.parse(line).get_object();
    CHECK(keys_of(object) == keys);
    CHECK(std::string_view(object["file"].get_string().value()) == bad);
  }
  const simdjson::dom::object first = parser.parse(lines[0]).get_object();
  CHECK(std::string_view(first["code"].get_string().value()) == "unknown-name");
  CHECK(first["line"].get_uint64().value() == 4);
  CHECK(first["column"].get_uint64().value() == 11);
  CHECK(first["end_column"].get_uint64().value() == 15);
}

TEST_CASE("--format sarif writes one SARIF 2.1.0 document on stdout") {
  const std::string bad = policy_file("bad.rules", error_policy);
  const std::string good = policy_file("good.rules", valid_policy);
  const run_result r = rulecheck({"check", "--format=sarif", bad, good});
  CHECK(r.status == 1);
  CHECK(r.err == "2 errors, 0 warnings\n");
  simdjson::dom::parser parser;
  const simdjson::dom::element doc = parser.parse(r.out);
  CHECK(std::string_view(doc["version"].get_string().value()) == "2.1.0");
  const simdjson::dom::element run = doc["runs"].at(0);
  CHECK(std::string_view(run["tool"]["driver"]["name"].get_string().value()) == "rulecheck");
  CHECK(std::string_view(run["columnKind"].get_string().value()) == "unicodeCodePoints");
  const simdjson::dom::array results = run["results"].get_array();
  CHECK(results.size() == 2);
  const simdjson::dom::element region =
      results.at(0)["locations"].at(0)["physicalLocation"]["region"];
  CHECK(region["startLine"].get_uint64().value() == 4);
  CHECK(region["startColumn"].get_uint64().value() == 11);
}

TEST_CASE("colour is used only when asked for or on a terminal without NO_COLOR") {
  const std::string bad = policy_file("bad.rules", error_policy);
  CHECK(rulecheck({"check", bad}).err.find('\x1b') == std::string::npos);  // not a terminal
  CHECK(rulecheck({"check", bad, "--color=never"}).err.find('\x1b') == std::string::npos);
  const run_result always = rulecheck({"check", bad, "--color", "always"}, with_env("NO_COLOR=1"));
  CHECK(always.err.find("\x1b[1;31merror[unknown-name]:\x1b[0m") != std::string::npos);
}

TEST_CASE("golden: a policy with many mistakes, in every format") {
  const fs::path dir = fs::path(TRIAGE_SOURCE_DIR) / "tests" / "golden";
  // Relative paths, run from the golden directory, so the files do not depend on where
  // the source tree is.
  const run_result text = rulecheck({"check", "multi_error.rules"}, in_dir(dir));
  CHECK(text.status == 1);
  CHECK(text.out.empty());
  check_golden("multi_error.txt", text.err);

  const run_result json =
      rulecheck({"check", "--format", "json", "multi_error.rules"}, in_dir(dir));
  CHECK(json.status == 1);
  check_golden("multi_error.jsonl", json.out);

  const run_result sarif =
      rulecheck({"check", "--format", "sarif", "multi_error.rules"}, in_dir(dir));
  CHECK(sarif.status == 1);
  check_golden("multi_error.sarif", sarif.out);
  CHECK(sarif.err == json.err);  // the summary
}

TEST_CASE("golden: a valid policy with warnings, notes and example tickets") {
  const fs::path dir = fs::path(TRIAGE_SOURCE_DIR) / "tests" / "golden";
  const run_result text = rulecheck({"check", "warnings.rules"}, in_dir(dir));
  CHECK(text.status == 0);
  check_golden("warnings.txt", text.err);
  const run_result json = rulecheck({"check", "--format=json", "warnings.rules"}, in_dir(dir));
  CHECK(json.status == 0);
  check_golden("warnings.jsonl", json.out);
}
