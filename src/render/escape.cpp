#include "render/escape.hpp"

#include <fmt/format.h>

namespace triage::detail {
namespace {

[[nodiscard]] constexpr bool is_continuation(unsigned char byte) noexcept {
  return (byte & 0xC0u) == 0x80u;
}

// Decodes the well-formed UTF-8 sequence `bytes` starts with (no overlong forms, no
// surrogates, nothing above U+10FFFF) and stores its size; anything else is U+FFFD.
[[nodiscard]] char32_t decode_one(std::string_view bytes, std::size_t& size) noexcept {
  const auto lead = static_cast<unsigned char>(bytes[0]);
  size = bytes.size();
  char32_t cp = 0;
  char32_t min = 0;
  if (lead < 0x80u) {
    size = 1, cp = lead, min = 0;
  } else if ((lead & 0xE0u) == 0xC0u) {
    size = 2, cp = lead & 0x1Fu, min = 0x80;
  } else if ((lead & 0xF0u) == 0xE0u) {
    size = 3, cp = lead & 0x0Fu, min = 0x800;
  } else if ((lead & 0xF8u) == 0xF0u) {
    size = 4, cp = lead & 0x07u, min = 0x10000;
  } else {
    return replacement_character;
  }
  if (bytes.size() < size) return replacement_character;
  for (std::size_t i = 1; i < size; ++i) {
    cp = (cp << 6) | (static_cast<unsigned char>(bytes[i]) & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return replacement_character;
  return cp;
}

}  // namespace

bool utf8_cells::next(utf8_cell& out) noexcept {
  if (at_ >= text_.size()) return false;
  std::size_t end = at_ + 1;
  while (end < text_.size() && is_continuation(static_cast<unsigned char>(text_[end]))) ++end;
  out.bytes = text_.substr(at_, end - at_);
  std::size_t size = 0;
  out.code_point = decode_one(out.bytes, size);
  out.trailing_garbage = size < out.bytes.size() && out.code_point != replacement_character;
  at_ = end;
  return true;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0u | (cp >> 6));
    out += static_cast<char>(0x80u | (cp & 0x3Fu));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0u | (cp >> 12));
    out += static_cast<char>(0x80u | ((cp >> 6) & 0x3Fu));
    out += static_cast<char>(0x80u | (cp & 0x3Fu));
  } else {
    out += static_cast<char>(0xF0u | (cp >> 18));
    out += static_cast<char>(0x80u | ((cp >> 12) & 0x3Fu));
    out += static_cast<char>(0x80u | ((cp >> 6) & 0x3Fu));
    out += static_cast<char>(0x80u | (cp & 0x3Fu));
  }
}

bool is_hostile(char32_t cp) noexcept {
  const bool control = cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
  const bool separator = cp == 0x2028 || cp == 0x2029;
  // Bidirectional marks, embeddings, overrides and isolates ("Trojan Source").
  const bool bidi = cp == 0x061C || cp == 0x200E || cp == 0x200F ||
                    (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
  return control || separator || bidi;
}

std::string terminal_escape(char32_t cp) {
  if (!is_hostile(cp)) return {};
  return fmt::format("\\u{{{:x}}}", static_cast<std::uint32_t>(cp));
}

std::uint32_t terminal_width(char32_t cp) noexcept {
  // Combining marks attach to the previous character.
  if ((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
      (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
      (cp >= 0xFE20 && cp <= 0xFE2F) || cp == 0x200B || cp == 0x200D) {
    return 0;
  }
  // East Asian Wide and Fullwidth blocks, and emoji, as terminals draw them.
  const bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) ||
                    (cp >= 0x3041 && cp <= 0x33FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
                    (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF) ||
                    (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                    (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                    (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
                    (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x20000 && cp <= 0x3FFFD);
  return wide ? 2 : 1;
}

void append_terminal_text(std::string& out, std::string_view text) {
  utf8_cells cells(text);
  utf8_cell cell;
  while (cells.next(cell)) {
    if (const std::string escaped = terminal_escape(cell.code_point); !escaped.empty()) {
      out += escaped;
    } else {
      append_utf8(out, cell.code_point);
    }
    if (cell.trailing_garbage) append_utf8(out, replacement_character);
  }
}

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  utf8_cells cells(text);
  utf8_cell cell;
  while (cells.next(cell)) {
    const char32_t cp = cell.code_point;
    switch (cp) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        // Beyond what JSON requires (C0): DEL, C1, separators and bidirectional controls,
        // so that JSON shown on a terminal can neither drive it nor reorder the line.
        if (cp < 0x7F ? cp < 0x20 : is_hostile(cp)) {  // printable ASCII first: most text
          out += fmt::format("\\u{:04x}", static_cast<std::uint32_t>(cp));
        } else {
          append_utf8(out, cp);
        }
    }
    if (cell.trailing_garbage) append_utf8(out, replacement_character);
  }
  out += '"';
}

}  // namespace triage::detail
