// Shared by the fuzz targets: how a broken property is reported, and a strict JSON check.
// libFuzzer (and the replay main) treat the trap as a crash and keep the input.
#ifndef TRIAGE_TESTS_FUZZ_CHECK_HPP
#define TRIAGE_TESTS_FUZZ_CHECK_HPP

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

#include <simdjson.h>

namespace triage_fuzz {

/// Prints what broke and stops the process the way a crash does.
[[noreturn]] inline void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz property broken: %s\n", what.c_str());
  std::fflush(stderr);
  __builtin_trap();
}

// A recogniser of RFC 8259's grammar (not simdjson's parser, which also refuses numbers
// outside 64-bit integers: valid JSON that the engine may print).
class json_grammar {
 public:
  explicit json_grammar(std::string_view text) : s_(text) {}
  bool document() {
    space();
    if (!value(0)) return false;
    space();
    return i_ == s_.size();
  }

 private:
  bool value(int depth) {
    if (depth > 2000 || i_ >= s_.size()) return false;
    switch (s_[i_]) {
      case '{': return object(depth);
      case '[': return array(depth);
      case '"': return string();
      case 't': return word("true");
      case 'f': return word("false");
      case 'n': return word("null");
      default: return number();
    }
  }
  bool object(int depth) {
    ++i_;
    space();
    if (eat('}')) return true;
    do {
      space();
      if (i_ >= s_.size() || s_[i_] != '"' || !string()) return false;
      space();
      if (!eat(':')) return false;
      space();
      if (!value(depth + 1)) return false;
      space();
    } while (eat(','));
    return eat('}');
  }
  bool array(int depth) {
    ++i_;
    space();
    if (eat(']')) return true;
    do {
      space();
      if (!value(depth + 1)) return false;
      space();
    } while (eat(','));
    return eat(']');
  }
  bool string() {
    ++i_;
    while (i_ < s_.size()) {
      const auto c = static_cast<unsigned char>(s_[i_++]);
      if (c == '"') return true;
      if (c < 0x20) return false;
      if (c != '\\') continue;
      if (i_ >= s_.size()) return false;
      const char e = s_[i_++];
      if (e == 'u') {
        for (int k = 0; k < 4; ++k) {
          if (i_ >= s_.size() || !is_hex(s_[i_++])) return false;
        }
      } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
        return false;
      }
    }
    return false;
  }
  bool number() {
    eat('-');
    if (eat('0')) {
    } else if (!digits()) {
      return false;
    }
    if (eat('.') && !digits()) return false;
    if (eat('e') || eat('E')) {
      if (!eat('+')) eat('-');
      if (!digits()) return false;
    }
    return true;
  }
  bool digits() {
    const std::size_t start = i_;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    return i_ > start;
  }
  bool word(std::string_view w) {
    if (s_.substr(i_, w.size()) != w) return false;
    i_ += w.size();
    return true;
  }
  bool eat(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  void space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  static bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

/// Fails unless `text` is one JSON document (RFC 8259) in valid UTF-8.
inline void require_json(const std::string& text, const char* what) {
  if (!simdjson::validate_utf8(text.data(), text.size())) {
    fail(std::string(what) + " is not valid UTF-8: " + text);
  }
  if (!json_grammar(text).document()) fail(std::string(what) + " is not valid JSON: " + text);
}

}  // namespace triage_fuzz

#endif  // TRIAGE_TESTS_FUZZ_CHECK_HPP
