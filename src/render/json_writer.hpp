// Internal to the renderers: a minimal streaming JSON writer that places commas itself.
#ifndef TRIAGE_RENDER_JSON_WRITER_HPP
#define TRIAGE_RENDER_JSON_WRITER_HPP

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace triage::detail {

/// Writes one JSON value. Compact output separates with ", " and ": " on one line (the
/// style of the rulecheck contract's examples); pretty output puts every member on its own
/// line, indented by two spaces. Misuse (a key outside an object) is a programming error.
class json_writer {
 public:
  explicit json_writer(bool pretty) : pretty_(pretty) {}

  json_writer& begin_object() { return open('{', true); }
  json_writer& end_object() { return close('}'); }
  json_writer& begin_array() { return open('[', false); }
  json_writer& end_array() { return close(']'); }
  /// Writes an object member's key; the next call writes its value.
  json_writer& key(std::string_view name);
  /// Writes a string value (escaped; invalid UTF-8 becomes U+FFFD).
  json_writer& string(std::string_view text);
  json_writer& number(std::uint64_t n);
  json_writer& null() { return raw("null"); }
  /// Writes text that is already a JSON value, as is.
  json_writer& raw(std::string_view json);

  /// Returns the text written so far.
  [[nodiscard]] const std::string& str() const noexcept { return out_; }

 private:
  struct level {
    bool object = false;
    bool empty = true;
  };
  json_writer& open(char bracket, bool object);
  json_writer& close(char bracket);
  void before_value();
  void newline();

  std::string out_;
  std::vector<level> stack_;
  bool after_key_ = false;
  bool pretty_ = false;
};

}  // namespace triage::detail

#endif  // TRIAGE_RENDER_JSON_WRITER_HPP
