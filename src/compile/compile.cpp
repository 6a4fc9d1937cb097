// compile: policy text → parse and check → compile_model.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

#include "triage/check.hpp"
#include "triage/policy.hpp"

namespace triage {
namespace {
// Diagnostics are lowercase; the OS's messages start with a capital ("No such file...").
std::string lowercase_first(std::string text) {
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') text[0] = static_cast<char>(text[0] - 'A' + 'a');
  return text;
}
}  // namespace

compile_result compile(source_file source, const limits& lim) {
  check_result checked = parse_and_check(source, lim);
  if (!checked.value) {
    compile_result result;
    result.issues = std::move(checked.issues);
    result.source = std::make_shared<const source_file>(std::move(source));
    return result;
  }
  return compile_model(std::move(*checked.value), std::move(source), std::move(checked.issues), lim);
}

compile_result compile(std::string_view text, std::string_view name, const limits& lim) {
  return compile(source_file(std::string(name), std::string(text)), lim);
}

compile_result compile_file(const std::filesystem::path& path, const limits& lim) {
  const std::string name = path.string();
  auto fail = [&](diagnostic_code code, std::string message) {
    compile_result result;
    result.source = std::make_shared<const source_file>(name, std::string{});
    result.issues.push_back(make_diagnostic(code, span{}, std::move(message)));
    return result;
  };
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    // file_size fails on directories and special files too; say why in the OS's words.
    return fail(diagnostic_code::syntax, "cannot read file '" + name + "': " + lowercase_first(ec.message()));
  }
  if (size > lim.max_file_bytes) {
    return fail(diagnostic_code::limit_exceeded,
                "file '" + name + "' is " + std::to_string(size) +
                    " bytes, more than the limit max_file_bytes (" + std::to_string(lim.max_file_bytes) + ")");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(diagnostic_code::syntax, "cannot read file '" + name + "': " + lowercase_first(std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return fail(diagnostic_code::syntax, "cannot read file '" + name + "': read error");
  return compile(source_file(name, std::move(text).str()), lim);
}

}  // namespace triage
