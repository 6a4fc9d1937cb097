#include "cli.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "run_support.hpp"

namespace rulecheck {

std::optional<std::string_view> parsed_args::value(std::string_view name) const {
  std::optional<std::string_view> found;
  for (const auto& [key, val] : options) {
    if (key == name) found = val;
  }
  return found;
}

parsed_args parse_args(std::span<const std::string_view> args, std::span<const option_spec> specs) {
  parsed_args out;
  auto fail = [&out](std::string message) {
    out = parsed_args{};
    out.error = std::move(message);
    return out;
  };
  bool options_done = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (options_done || arg == "-" || !arg.starts_with('-')) {
      out.operands.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    if (arg == "-h" || arg == "--help") {
      out.help = true;
      continue;
    }
    const std::size_t eq = arg.find('=');
    const std::string_view name = arg.substr(0, eq);
    const option_spec* spec = nullptr;
    for (const option_spec& s : specs) {
      if (s.name == name) spec = &s;
    }
    if (spec == nullptr) return fail(fmt::format("unknown option '{}'", name));
    if (!spec->takes_value) {
      if (eq != std::string_view::npos) {
        return fail(fmt::format("option '{}' takes no value", name));
      }
      out.options.emplace_back(name, std::string_view{});
    } else if (eq != std::string_view::npos) {
      out.options.emplace_back(name, arg.substr(eq + 1));
    } else if (i + 1 < args.size()) {
      out.options.emplace_back(name, args[++i]);
    } else {
      return fail(fmt::format("option '{}' needs a value", name));
    }
  }
  return out;
}

void write_stdout(std::string_view text) { std::fwrite(text.data(), 1, text.size(), stdout); }
void write_stderr(std::string_view text) { std::fwrite(text.data(), 1, text.size(), stderr); }

void print_error(std::string_view message) {
  // Messages quote file names, arguments and tickets: nothing in them may drive the terminal.
  write_stderr(fmt::format("rulecheck: error: {}\n", terminal_text(message)));
}

int usage_error(const command& cmd, std::string_view message) {
  print_error(message);
  write_stderr(fmt::format("usage: {}\nrun 'rulecheck help {}' for more\n", cmd.usage, cmd.name));
  return exit_failure;
}

void print_help(const command& cmd) {
  write_stdout(fmt::format("usage: {}\n\n{}", cmd.usage, cmd.help));
}

std::string display_name(std::string_view path) {
  return path == "-" ? std::string("<stdin>") : std::string(path);
}

std::optional<std::string> read_file(std::string_view path, std::size_t max_bytes,
                                     std::string& error) {
  struct closer {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
  };
  std::unique_ptr<std::FILE, closer> owned;
  std::FILE* file = stdin;
  if (path != "-") {
    owned.reset(std::fopen(std::string(path).c_str(), "rb"));
    if (!owned) {
      error = fmt::format("cannot read '{}': {}", path, std::strerror(errno));
      return std::nullopt;
    }
    file = owned.get();
  }
  std::string text;
  char buffer[1 << 16];
  const std::size_t cap = max_bytes < SIZE_MAX ? max_bytes + 1 : max_bytes;
  while (text.size() < cap) {
    const std::size_t want = std::min(sizeof buffer, cap - text.size());
    const std::size_t got = std::fread(buffer, 1, want, file);
    text.append(buffer, got);
    if (got < want) break;
  }
  if (std::ferror(file)) {  // e.g. EISDIR: fopen opens a directory, reading it fails
    error = fmt::format("cannot read '{}': {}", display_name(path), std::strerror(errno));
    return std::nullopt;
  }
  return text;
}

std::optional<color_mode> parse_color_mode(std::string_view text) {
  if (text == "auto") return color_mode::automatic;
  if (text == "always") return color_mode::always;
  if (text == "never") return color_mode::never;
  return std::nullopt;
}

bool stderr_wants_color(color_mode mode) {
  switch (mode) {
    case color_mode::always:
      return true;
    case color_mode::never:
      return false;
    case color_mode::automatic:
      break;
  }
  // https://no-color.org: present at all means no colour.
  if (std::getenv("NO_COLOR") != nullptr) return false;
  if (const char* term = std::getenv("TERM"); term != nullptr && std::string_view(term) == "dumb") {
    return false;
  }
  return isatty(STDERR_FILENO) == 1;
}

std::string count_of(std::size_t n, std::string_view singular) {
  return fmt::format("{} {}{}", n, singular, n == 1 ? "" : "s");
}

}  // namespace rulecheck
