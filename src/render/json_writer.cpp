#include "render/json_writer.hpp"

#include <fmt/format.h>

#include "render/escape.hpp"

namespace triage::detail {

void json_writer::newline() {
  out_ += '\n';
  out_.append(2 * stack_.size(), ' ');
}

void json_writer::before_value() {
  if (after_key_) {  // the value of a member: the key wrote its separator
    after_key_ = false;
    return;
  }
  if (stack_.empty()) return;
  if (!stack_.back().empty) out_ += pretty_ ? "," : ", ";
  stack_.back().empty = false;
  if (pretty_) newline();
}

json_writer& json_writer::open(char bracket, bool object) {
  before_value();
  out_ += bracket;
  stack_.push_back({object, true});
  return *this;
}

json_writer& json_writer::close(char bracket) {
  const bool empty = stack_.back().empty;
  stack_.pop_back();
  if (pretty_ && !empty) newline();
  out_ += bracket;
  return *this;
}

json_writer& json_writer::key(std::string_view name) {
  before_value();
  append_json_string(out_, name);
  out_ += ": ";
  after_key_ = true;
  return *this;
}

json_writer& json_writer::string(std::string_view text) {
  before_value();
  append_json_string(out_, text);
  return *this;
}

json_writer& json_writer::number(std::uint64_t n) {
  before_value();
  out_ += fmt::format("{}", n);
  return *this;
}

json_writer& json_writer::raw(std::string_view json) {
  before_value();
  out_ += json;
  return *this;
}

}  // namespace triage::detail
