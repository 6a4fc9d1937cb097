#include "run_support.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>

#include "cli.hpp"
#include "triage/render.hpp"

namespace rulecheck {

std::shared_ptr<const triage::policy> load_policy(std::string_view path) {
  const triage::limits lim;
  std::string error;
  std::optional<std::string> text = read_file(path, lim.max_file_bytes, error);
  if (!text) {
    print_error(error);
    return nullptr;
  }
  triage::compile_result r =
      triage::compile(triage::source_file(display_name(path), std::move(*text)), lim);
  if (!r.ok()) {
    const triage::render_options options{.color = stderr_wants_color(color_mode::automatic)};
    if (r.source) write_stderr(triage::render_text(*r.source, r.issues, options));
    print_error(fmt::format("policy '{}' does not compile", display_name(path)));
    return nullptr;
  }
  return r.value;
}

namespace {

// Returns the length of the valid UTF-8 sequence at the start of `s`, or 0 when it is not
// one (overlong forms, surrogates and code points past U+10FFFF are invalid).
std::size_t utf8_sequence_length(std::string_view s) noexcept {
  const auto byte = [&s](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char b0 = byte(0);
  std::size_t n = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;  // overlong
    if (b0 == 0xED) hi = 0x9F;  // surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0) lo = 0x90;  // overlong
    if (b0 == 0xF4) hi = 0x8F;  // past U+10FFFF
  } else {
    return 0;
  }
  if (s.size() < n) return 0;
  if (byte(1) < lo || byte(1) > hi) return 0;
  for (std::size_t i = 2; i < n; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  }
  return n;
}

// Returns the code point of a valid sequence of `n` bytes (2 or 3) when it is one that must
// not reach a terminal raw: C1 controls (U+0080-U+009F), U+061C, bidirectional marks,
// embeddings, overrides and isolates, line and paragraph separators; otherwise 0.
char32_t hostile_code_point(std::string_view seq) noexcept {
  char32_t cp = 0;
  if (seq.size() == 2) {
    cp = static_cast<char32_t>(((static_cast<unsigned char>(seq[0]) & 0x1Fu) << 6) |
                               (static_cast<unsigned char>(seq[1]) & 0x3Fu));
  } else if (seq.size() == 3) {
    cp = static_cast<char32_t>(((static_cast<unsigned char>(seq[0]) & 0x0Fu) << 12) |
                               ((static_cast<unsigned char>(seq[1]) & 0x3Fu) << 6) |
                               (static_cast<unsigned char>(seq[2]) & 0x3Fu));
  } else {
    return 0;
  }
  const bool hostile = cp <= 0x9F || cp == 0x061C || cp == 0x200E || cp == 0x200F ||
                       (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
  return hostile ? cp : 0;
}

// The bytes that end a run copied as it is: C0, '"', '\\', DEL and every non-ASCII byte.
constexpr std::array<bool, 256> ends_run = [] {
  std::array<bool, 256> table{};
  for (std::size_t c = 0; c < table.size(); ++c) {
    table[c] = c < 0x20 || c == '"' || c == '\\' || c >= 0x7F;
  }
  return table;
}();

}  // namespace

std::string terminal_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7F) {
        out += fmt::format("\\u{{{:x}}}", static_cast<unsigned>(c));
      } else {
        out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    const std::size_t n = utf8_sequence_length(text.substr(i));
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
    } else if (const char32_t cp = hostile_code_point(text.substr(i, n)); cp != 0) {
      out += fmt::format("\\u{{{:x}}}", static_cast<unsigned>(cp));
      i += n;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  std::size_t i = 0;
  while (i < text.size()) {
    // Copy the longest run that needs no escaping in one go.
    std::size_t j = i;
    while (j < text.size() && !ends_run[static_cast<unsigned char>(text[j])]) ++j;
    out.append(text.substr(i, j - i));
    i = j;
    if (i == text.size()) break;
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const std::size_t n = utf8_sequence_length(text.substr(i));
      if (n == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD
        ++i;
      } else if (const char32_t cp = hostile_code_point(text.substr(i, n)); cp != 0) {
        // Valid JSON either way; escaped so that output shown on a terminal cannot drive it
        // (C1 controls) or reorder the line (bidirectional controls).
        out += fmt::format("\\u{:04x}", static_cast<unsigned>(cp));
        i += n;
      } else {
        out.append(text.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: out += fmt::format("\\u{:04x}", static_cast<unsigned>(c)); break;
    }
    ++i;
  }
  out += '"';
}

namespace {

void append_integer(std::string& out, std::int64_t v) {
  char digits[24];
  const auto r = std::to_chars(digits, digits + sizeof digits, v);
  out.append(digits, r.ptr);
}

}  // namespace

void append_output_json(std::string& out, const triage::policy& pol, const triage::decision& d,
                        std::uint32_t output) {
  const triage::output_def& def = pol.model().outputs[output];
  const triage::output_handle o = pol.output_at(output);
  if (def.policy == triage::hit_policy::collect) {
    out += '[';
    bool first = true;
    for (const std::string_view v : d.collected(o)) {
      if (!first) out += ", ";
      first = false;
      append_json_string(out, v);
    }
    out += ']';
    return;
  }
  if (def.type == triage::output_type::flag) {
    out += d.flag(o) ? "true" : "false";
    return;
  }
  if (!d.present(o)) {
    out += "null";
    return;
  }
  switch (def.type) {
    case triage::output_type::enumeration:
    case triage::output_type::string:
      append_json_string(out, d.text(o));
      break;
    case triage::output_type::integer:
      append_integer(out, d.integer(o));
      break;
    case triage::output_type::flag:
      break;
  }
}

void append_decision_json(std::string& out, const triage::policy& pol, const triage::decision& d) {
  const triage::model& m = pol.model();
  out += '{';
  for (std::uint32_t i = 0; i < m.outputs.size(); ++i) {
    if (i != 0) out += ", ";
    append_json_string(out, m.outputs[i].name);
    out += ": ";
    append_output_json(out, pol, d, i);
  }
  out += '}';
}

std::string_view hit_policy_name(triage::hit_policy p) noexcept {
  switch (p) {
    case triage::hit_policy::any: return "any";
    case triage::hit_policy::first: return "first";
    case triage::hit_policy::max: return "max";
    case triage::hit_policy::min: return "min";
    case triage::hit_policy::unique: return "unique";
    case triage::hit_policy::collect: return "collect";
    case triage::hit_policy::sum: return "sum";
  }
  return "any";
}

std::string decision_value_text(const triage::policy& pol, const triage::decision& d,
                                std::uint32_t output) {
  const triage::model& m = pol.model();
  const triage::output_def& def = m.outputs[output];
  const triage::output_handle o = pol.output_at(output);
  if (def.policy == triage::hit_policy::collect) {
    std::string text = "[";
    bool first = true;
    for (const std::string_view v : d.collected(o)) {
      if (!first) text += ", ";
      first = false;
      text += def.type == triage::output_type::string
                  ? triage::value_text(m, triage::scalar(std::string(v)))
                  : std::string(v);
    }
    return text + "]";
  }
  if (def.type == triage::output_type::flag) return d.flag(o) ? "true" : "false";
  if (!d.present(o)) return "missing";
  switch (def.type) {
    case triage::output_type::enumeration:
      return std::string(d.text(o));
    case triage::output_type::string:
      return triage::value_text(m, triage::scalar(std::string(d.text(o))));
    case triage::output_type::integer:
      return std::to_string(d.integer(o));
    case triage::output_type::flag:
      break;
  }
  return "missing";
}

std::string ticket_value_text(const triage::policy& pol, const triage::ticket& t,
                              std::uint32_t field) {
  const triage::model& m = pol.model();
  const triage::field_handle f = pol.field_at(field);
  if (!t.present(f)) return "(missing)";
  switch (m.fields[field].type) {
    case triage::field_type::boolean:
      return t.get_bool(f) ? "true" : "false";
    case triage::field_type::integer:
      return std::to_string(t.get_int(f));
    case triage::field_type::number:
      return triage::value_text(m, triage::scalar(t.get_number(f)));
    case triage::field_type::duration:
      return triage::format_duration(t.get_int(f));
    case triage::field_type::string:
      return triage::value_text(m, triage::scalar(std::string(t.get_text(f))));
    case triage::field_type::enumeration:
      return std::string(t.get_text(f));
    case triage::field_type::tags: {
      // A ticket keeps only the tags its policy mentions: those are the ones shown.
      std::string text = "[";
      bool first = true;
      for (const std::string& tag : pol.table().symbols) {
        if (!t.has_tag(f, tag)) continue;
        if (!first) text += ", ";
        first = false;
        text += triage::value_text(m, triage::scalar(tag));
      }
      return text + "]";
    }
  }
  return "(missing)";
}

void buffered_output::flush() {
  if (!text_.empty()) {
    std::fwrite(text_.data(), 1, text_.size(), stdout);
    text_.clear();
  }
  std::fflush(stdout);
}

std::string too_long_message(std::size_t max_line_bytes) {
  return fmt::format("line is longer than max_line_bytes ({})", max_line_bytes);
}

line_reader::line_reader(int fd, std::size_t max_line_bytes, std::function<void()> before_wait)
    : fd_(fd), max_line_bytes_(max_line_bytes), before_wait_(std::move(before_wait)),
      buffer_(std::size_t{1} << 18) {}

bool line_reader::refill() {
  // The read may wait: let the reader see the answers so far.
  if (before_wait_) before_wait_();
  for (;;) {
    const ssize_t got = ::read(fd_, buffer_.data(), buffer_.size());
    if (got > 0) {
      begin_ = 0;
      end_ = static_cast<std::size_t>(got);
      return true;
    }
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) error_ = std::strerror(errno);
    eof_ = true;
    return false;
  }
}

bool line_reader::next(std::string_view& line, bool& too_long) {
  line_.clear();
  too_long = false;
  bool any = false;  // some byte of this line was read (so an empty last line is no line)
  // The limit is on the text without its line end: keep one more byte for a "\r" of "\r\n".
  const std::size_t keep =
      max_line_bytes_ == static_cast<std::size_t>(-1) ? max_line_bytes_ : max_line_bytes_ + 1;
  const auto finish = [&](std::string_view text) {
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.size() > max_line_bytes_) {
      too_long = true;
      text = {};
    }
    line = text;
    return true;
  };
  for (;;) {
    if (begin_ == end_) {
      if (eof_ || !refill()) {
        if (!any) return false;
        break;
      }
    }
    const char* const start = buffer_.data() + begin_;
    const std::size_t avail = end_ - begin_;
    const void* const nl = std::memchr(start, '\n', avail);
    const std::size_t take =
        nl != nullptr ? static_cast<std::size_t>(static_cast<const char*>(nl) - start) : avail;
    any = true;
    if (nl != nullptr && line_.empty() && !too_long && take <= keep) {
      // The common case: the whole line is in the buffer; hand it out without a copy.
      begin_ += take + 1;
      return finish(std::string_view(start, take));
    }
    if (!too_long) {
      if (line_.size() + take > keep) {
        too_long = true;
        std::string().swap(line_);  // give the memory back: the rest is skipped
      } else {
        line_.append(start, take);
      }
    }
    begin_ += take;
    if (nl != nullptr) {
      ++begin_;
      break;
    }
  }
  if (too_long) {
    line = {};
    return true;
  }
  return finish(line_);
}

}  // namespace rulecheck
