#include "ticket_log.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "cli.hpp"

namespace rulecheck {

namespace {

bool is_blank(std::string_view line) noexcept {
  return line.find_first_not_of(" \t\r\f\v") == std::string_view::npos;
}

}  // namespace

std::unique_ptr<ticket_log> ticket_log::open(std::string_view path) {
  int fd = STDIN_FILENO;
  if (path != "-") {
    fd = ::open(std::string(path).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      print_error(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
      return nullptr;
    }
  }
  return std::unique_ptr<ticket_log>(new ticket_log(fd, display_name(path)));
}

ticket_log::ticket_log(int fd, std::string display)
    : fd_(fd), display_(std::move(display)), reader_(fd, max_line_bytes) {}

ticket_log::~ticket_log() {
  if (fd_ != STDIN_FILENO) ::close(fd_);
}

bool ticket_log::next(log_line& line) {
  std::string_view text;
  bool too_long = false;
  while (reader_.next(text, too_long)) {
    ++number_;
    // Editors on Windows often start a UTF-8 file with a byte-order mark; it is not JSON.
    if (number_ == 1 && text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    if (!too_long && is_blank(text)) continue;
    line = log_line{number_, text, too_long};
    return true;
  }
  return false;
}

bool ticket_log::report_error() const {
  if (reader_.error().empty()) return false;
  print_error(fmt::format("cannot read '{}': {}", display_, reader_.error()));
  return true;
}

std::string ticket_log::too_long_message() { return rulecheck::too_long_message(max_line_bytes); }

progress_line::progress_line(std::string_view what)
    : what_(what),
      enabled_(::isatty(STDERR_FILENO) == 1),
      next_draw_(std::chrono::steady_clock::now() + std::chrono::milliseconds(500)) {}

void progress_line::redraw(std::uint64_t line_number) {
  const auto now = std::chrono::steady_clock::now();
  if (now < next_draw_) return;
  next_draw_ = now + std::chrono::milliseconds(250);
  write_stderr(fmt::format("\r{}: {} lines read", what_, count_text(line_number)));
  drawn_ = true;
}

void progress_line::finish() {
  if (drawn_) write_stderr("\r\x1b[K");  // back to the start and erase to the end of the line
  drawn_ = false;
  enabled_ = false;
}

std::string percent_text(std::uint64_t part, std::uint64_t whole) {
  if (whole == 0) return "0.0%";
  return fmt::format("{:.1f}%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

std::string bar_text(std::uint64_t part, std::uint64_t whole, std::size_t width) {
  if (whole == 0 || part == 0) return {};
  const double cells =
      static_cast<double>(width) * static_cast<double>(part) / static_cast<double>(whole);
  const auto full = static_cast<std::size_t>(cells + 0.5);
  if (full == 0) return "▏";
  std::string bar;
  for (std::size_t i = 0; i < full; ++i) bar += "█";
  return bar;
}

std::string count_text(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::size_t display_width(std::string_view text) noexcept {
  // Every byte but UTF-8 continuation bytes starts a code point.
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

void text_table::render(std::string& out, std::string_view indent,
                        const std::vector<bool>& right_aligned) const {
  std::vector<std::size_t> widths;
  for (const auto& row : rows_) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (std::size_t i = 0; i < row.size(); ++i)
      widths[i] = std::max(widths[i], display_width(row[i]));
  }
  for (const auto& row : rows_) {
    std::string line(indent);
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i != 0) line += "  ";
      const std::size_t pad = widths[i] - display_width(row[i]);
      const bool right = i < right_aligned.size() && right_aligned[i];
      if (right) line.append(pad, ' ');
      line += row[i];
      if (!right && i + 1 < row.size()) line.append(pad, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line;
    out += '\n';
  }
}

void append_examples_json(std::string& out, const std::vector<ticket_ref>& examples) {
  out += '[';
  for (std::size_t i = 0; i < examples.size(); ++i) {
    if (i != 0) out += ", ";
    out += fmt::format("{{\"id\": {}, \"line\": {}}}", examples[i].id_json, examples[i].line);
  }
  out += ']';
}

std::string examples_text(const std::vector<ticket_ref>& examples) {
  std::string text;
  for (const ticket_ref& e : examples) {
    if (!text.empty()) text += ", ";
    const std::string& id = e.id_json;
    if (id == "null") {
      text += fmt::format("line {}", e.line);
    } else if (id.size() >= 2 && id.front() == '"' && id.find('\\') == std::string::npos) {
      text += id.substr(1, id.size() - 2);  // a plain string id reads better unquoted
    } else {
      text += id;  // already JSON: control characters are escaped
    }
  }
  return text;
}

}  // namespace rulecheck
