#include "parse/literals.hpp"

#include <charconv>
#include <limits>
#include <system_error>

namespace triage::detail {
namespace {

constexpr std::uint64_t max_magnitude_positive =
    static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
constexpr std::uint64_t max_magnitude_negative = max_magnitude_positive + 1;  // |INT64_MIN|

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// Parses a run of decimal digits into `value`; false on overflow of 64 unsigned bits.
bool parse_digits(std::string_view digits, std::uint64_t& value) noexcept {
  value = 0;
  for (const char c : digits) {
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return false;
    value = value * 10 + d;
  }
  return true;
}

// Applies the sign to a magnitude; false when it does not fit in an int64.
bool to_signed(std::uint64_t magnitude, bool negative, std::int64_t& out) noexcept {
  if (negative) {
    if (magnitude > max_magnitude_negative) return false;
    // -2^63 is representable although 2^63 is not: negate in unsigned arithmetic.
    out = magnitude == max_magnitude_negative ? std::numeric_limits<std::int64_t>::min()
                                              : -static_cast<std::int64_t>(magnitude);
    return true;
  }
  if (magnitude > max_magnitude_positive) return false;
  out = static_cast<std::int64_t>(magnitude);
  return true;
}

// The units of a duration, in the order they must be written, with their seconds.
struct unit_info {
  char letter;
  std::uint64_t seconds;
};
constexpr unit_info duration_units[] = {
    {'w', 604'800}, {'d', 86'400}, {'h', 3'600}, {'m', 60}, {'s', 1}};

literal_problem whole(std::string message, std::string_view text) {
  return {std::move(message), 0, static_cast<std::uint32_t>(text.size())};
}

literal_problem decode_duration(std::string_view text, bool negative, std::string_view body,
                                ast::literal& out) {
  out.kind = ast::literal_kind::duration;
  // Order first: "1m2h" is wrong however small its value.
  int next_rank = 0;  // the least rank the next unit may have
  for (const char c : body) {
    if (is_digit(c)) continue;
    int rank = 0;
    while (duration_units[rank].letter != c) ++rank;
    if (rank < next_rank) {
      return whole("duration units must come in the order w d h m s, each at most once", text);
    }
    next_rank = rank + 1;
  }
  std::uint64_t total = 0;
  bool overflow = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (is_digit(body[i])) continue;
    std::uint64_t amount = 0;
    int rank = 0;
    while (duration_units[rank].letter != body[i]) ++rank;
    const std::uint64_t per = duration_units[rank].seconds;
    if (!parse_digits(body.substr(start, i - start), amount) ||
        amount > std::numeric_limits<std::uint64_t>::max() / per ||
        total > std::numeric_limits<std::uint64_t>::max() - amount * per) {
      overflow = true;
      break;
    }
    total += amount * per;
    start = i + 1;
  }
  if (overflow || !to_signed(total, negative, out.integer)) {
    out.integer = 0;
    return whole("duration literal " + quote_text(text) +
                     " does not fit in 64 bits when counted in seconds",
                 text);
  }
  return {};
}

}  // namespace

std::string quote_text(std::string_view text) {
  constexpr std::size_t max_code_points = 40;
  std::size_t code_points = 0;
  std::size_t cut = text.size();
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0u) == 0x80u) continue;
    if (code_points == max_code_points) {
      cut = i;
      break;
    }
    ++code_points;
  }
  std::string quoted = "'";
  quoted.append(text.substr(0, cut));
  if (cut < text.size()) quoted += "...";
  quoted += '\'';
  return quoted;
}

literal_problem decode_numeric(std::string_view text, ast::literal& out) {
  out.valid = true;
  const bool negative = !text.empty() && text.front() == '-';
  const std::string_view body = negative ? text.substr(1) : text;

  if (body.find('.') != std::string_view::npos) {
    out.kind = ast::literal_kind::number;
    double value = 0.0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error == std::errc::result_out_of_range) {
      // Out of range is overflow, unless the integer part is zero: then the value is a
      // tiny number that rounds to zero, which is what a user writing it means.
      if (body.find_first_not_of('0') != body.find('.')) {
        return whole("number literal " + quote_text(text) + " is too large for a double", text);
      }
      value = negative ? -0.0 : 0.0;
    }
    out.number = value;
    return {};
  }
  if (body.find_first_not_of("0123456789") != std::string_view::npos) {
    return decode_duration(text, negative, body, out);
  }
  out.kind = ast::literal_kind::integer;
  std::uint64_t magnitude = 0;
  if (!parse_digits(body, magnitude) || !to_signed(magnitude, negative, out.integer)) {
    out.integer = 0;
    return whole("integer literal " + quote_text(text) + " does not fit in 64 bits", text);
  }
  return {};
}

namespace {

bool is_hex(char c) noexcept {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

void append_utf8(std::uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Decodes the `\u{...}` escape starting at `content[at]` (the backslash). Returns the
// number of bytes it spans and appends the character, or reports why it is invalid.
std::size_t unicode_escape(std::string_view content, std::size_t at, std::string& out,
                           literal_problem& problem) {
  std::size_t i = at + 2;  // past "\u"
  bool well_formed = i < content.size() && content[i] == '{';
  std::size_t digits = 0;
  if (well_formed) {
    ++i;
    // Read past the longest hex run (bounded, so a huge run cannot make the message huge).
    while (i < content.size() && is_hex(content[i]) && digits < 9) {
      ++i;
      ++digits;
    }
    well_formed = digits >= 1 && digits <= 6 && i < content.size() && content[i] == '}';
    if (i < content.size() && content[i] == '}') ++i;
  }
  const std::string_view escape = content.substr(at, i - at);
  if (!well_formed) {
    problem = {"malformed unicode escape " + quote_text(escape) +
                   "; expected 1 to 6 hex digits in braces, as in '\\u{e9}'",
               static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(escape.size())};
    return escape.size();
  }
  std::uint32_t cp = 0;
  std::from_chars(escape.data() + 3, escape.data() + 3 + digits, cp, 16);
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    problem = {"unicode escape " + quote_text(escape) + " is not a valid code point",
               static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(escape.size())};
    return escape.size();
  }
  append_utf8(cp, out);
  return escape.size();
}

}  // namespace

literal_problem unescape_string(std::string_view content, std::string& out) {
  out.clear();
  out.reserve(content.size());
  literal_problem first;
  std::size_t i = 0;
  while (i < content.size()) {
    // Copy the run up to the next escape in one step.
    const std::size_t slash = content.find('\\', i);
    if (slash == std::string_view::npos) {
      out.append(content.substr(i));
      break;
    }
    out.append(content.substr(i, slash - i));
    i = slash;
    // The grammar guarantees a character after every backslash.
    const char next = content[i + 1];
    literal_problem problem;
    switch (next) {
      case '"': out += '"'; i += 2; break;
      case '\\': out += '\\'; i += 2; break;
      case 'n': out += '\n'; i += 2; break;
      case 't': out += '\t'; i += 2; break;
      case 'u': i += unicode_escape(content, i, out, problem); break;
      default: {
        // The escaped character may be several bytes long: quote it whole.
        std::size_t len = 2;
        while (i + len < content.size() &&
               (static_cast<unsigned char>(content[i + len]) & 0xC0u) == 0x80u) {
          ++len;
        }
        problem = {"unknown escape " + quote_text(content.substr(i, len)) + " in string",
                   static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(len)};
        i += len;
        break;
      }
    }
    if (!problem.ok() && first.ok()) first = std::move(problem);
  }
  return first;
}

}  // namespace triage::detail
