// Tickets: flat, typed storage for one policy's fields (see <triage/ticket.hpp>).
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "compile/cells.hpp"
#include "eval/runtime.hpp"
#include "render/escape.hpp"
#include "triage/table.hpp"
#include "triage/ticket.hpp"

namespace triage {
namespace {

const char* type_name(field_type t) noexcept {
  switch (t) {
    case field_type::boolean: return "bool";
    case field_type::integer: return "int";
    case field_type::number: return "number";
    case field_type::duration: return "duration";
    case field_type::string: return "string";
    case field_type::tags: return "tags";
    case field_type::enumeration: return "enum";
  }
  return "?";
}

}  // namespace

ticket::ticket(std::shared_ptr<const triage::policy> p) : owner_(std::move(p)) {
  if (!owner_) throw std::invalid_argument("triage::ticket needs a policy");
  const std::size_t n = owner_->model().fields.size();
  const detail::policy_access::runtime& rt = detail::policy_access::rt(*owner_);
  fields_ = static_cast<std::uint32_t>(n);
  strings_.assign(n, std::string{});
  folded_.assign(n, std::string{});
  tag_words_ = rt.tag_words;
  // Presence bytes first (rounded up to whole words), then the 8-byte values: with a dozen
  // fields the presence bytes and the integer values fit in two cache lines.
  block_bytes_ = (n + 7) / 8 * 8 + n * sizeof(std::int64_t) + n * sizeof(double) +
                 std::size_t{rt.tag_fields} * rt.tag_words * sizeof(std::uint64_t);
  // Zeroed (inline or on the heap): every field missing.
  if (block_bytes_ > inline_block_bytes) heap_block_ = std::make_unique<std::byte[]>(block_bytes_);
  place_block();
}

void ticket::place_block() noexcept {
  std::byte* at = heap_block_ ? heap_block_.get() : inline_block_;
  present_ = reinterpret_cast<std::uint8_t*>(at);
  at += (fields_ + 7) / 8 * 8;
  ints_ = reinterpret_cast<std::int64_t*>(at);
  at += std::size_t{fields_} * sizeof(std::int64_t);
  numbers_ = reinterpret_cast<double*>(at);
  at += std::size_t{fields_} * sizeof(double);
  tag_bits_ = reinterpret_cast<std::uint64_t*>(at);
}

ticket::ticket(const ticket& other)
    : owner_(other.owner_), fields_(other.fields_), strings_(other.strings_), folded_(other.folded_),
      tag_words_(other.tag_words_) {
  copy_block(other);
}

ticket& ticket::operator=(const ticket& other) {
  if (this != &other) *this = ticket(other);
  return *this;
}

// A move copies an inline block (a few hundred bytes at most) and takes a heap one.
ticket::ticket(ticket&& other) noexcept { *this = std::move(other); }

ticket& ticket::operator=(ticket&& other) noexcept {
  if (this != &other) {
    owner_ = std::move(other.owner_);
    heap_block_ = std::move(other.heap_block_);
    block_bytes_ = other.block_bytes_;
    fields_ = other.fields_;
    if (!heap_block_) std::memcpy(inline_block_, other.inline_block_, block_bytes_);
    place_block();
    strings_ = std::move(other.strings_);
    folded_ = std::move(other.folded_);
    tag_words_ = other.tag_words_;
    other.forget_block();
  }
  return *this;
}

ticket::~ticket() = default;

void ticket::copy_block(const ticket& other) {
  block_bytes_ = other.block_bytes_;
  if (other.heap_block_) {
    heap_block_ = std::make_unique<std::byte[]>(block_bytes_);
    std::memcpy(heap_block_.get(), other.heap_block_.get(), block_bytes_);
  } else {
    std::memcpy(inline_block_, other.inline_block_, block_bytes_);
  }
  place_block();
}

void ticket::forget_block() noexcept {
  heap_block_.reset();
  block_bytes_ = 0;
  fields_ = 0;
  present_ = nullptr;
  ints_ = nullptr;
  numbers_ = nullptr;
  tag_bits_ = nullptr;
}

std::uint32_t ticket::checked_index(field_handle f) const {
  if (!f.valid() || f.index() >= fields_ ||
      owner_->model().fields[f.index()].type != f.type()) {
    throw std::invalid_argument("triage::ticket: invalid field handle");
  }
  return f.index();
}

namespace {
[[noreturn]] void wrong_type(const policy& p, std::uint32_t i, const char* given) {
  const field_def& def = p.model().fields[i];
  throw std::invalid_argument("triage::ticket: field '" + def.name + "' is " + type_name(def.type) +
                              ", not " + given);
}
}  // namespace

void ticket::set_bool(field_handle f, bool v) {
  const std::uint32_t i = checked_index(f);
  if (f.type() != field_type::boolean) wrong_type(*owner_, i, "bool");
  ints_[i] = v ? 1 : 0;
  present_[i] = 1;
}

void ticket::set_int(field_handle f, std::int64_t v) {
  const std::uint32_t i = checked_index(f);
  switch (f.type()) {
    case field_type::integer:
    case field_type::duration: ints_[i] = v; break;
    case field_type::number: numbers_[i] = static_cast<double>(v); break;
    default: wrong_type(*owner_, i, "an integer");
  }
  present_[i] = 1;
}

void ticket::set_number(field_handle f, double v) {
  const std::uint32_t i = checked_index(f);
  if (f.type() != field_type::number) wrong_type(*owner_, i, "a number");
  if (!std::isfinite(v)) throw std::invalid_argument("triage::ticket: a number must be finite");
  numbers_[i] = v;
  present_[i] = 1;
}

void ticket::set_duration(field_handle f, std::chrono::seconds v) {
  const std::uint32_t i = checked_index(f);
  if (f.type() != field_type::duration) wrong_type(*owner_, i, "a duration");
  ints_[i] = static_cast<std::int64_t>(v.count());
  present_[i] = 1;
}

void ticket::set_text(field_handle f, std::string_view v) {
  const std::uint32_t i = checked_index(f);
  if (f.type() == field_type::string) {
    store_text(i, v);
  } else if (f.type() == field_type::enumeration) {
    const std::optional<std::uint32_t> m = owner_->member(f, v);
    if (!m) {
      throw std::invalid_argument("triage::ticket: '" + std::string(v) + "' is not a member of field '" +
                                  owner_->model().fields[i].name + "'");
    }
    ints_[i] = *m;
  } else {
    wrong_type(*owner_, i, "text");
  }
  present_[i] = 1;
}

void ticket::store_text(std::uint32_t i, std::string_view v) {
  strings_[i].assign(v);  // reuses the capacity of the previous value
  if (detail::policy_access::rt(*owner_).folds_field[i] != 0) {
    std::string& folded = folded_[i];
    folded.assign(v);
    // ASCII only, as the language's case-insensitive text tests are.
    for (char& c : folded) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
  }
}

void ticket::set_member(field_handle f, std::uint32_t index) {
  const std::uint32_t i = checked_index(f);
  if (f.type() != field_type::enumeration) wrong_type(*owner_, i, "an enum member");
  const field_def& def = owner_->model().fields[i];
  if (index >= owner_->model().enums[def.enum_index].members.size()) {
    throw std::invalid_argument("triage::ticket: member index out of range for field '" + def.name + "'");
  }
  ints_[i] = index;
  present_[i] = 1;
}

void ticket::set_tags(field_handle f, std::span<const std::string_view> tags) {
  const std::uint32_t i = checked_index(f);
  if (f.type() != field_type::tags) wrong_type(*owner_, i, "tags");
  const detail::policy_access::runtime& rt = detail::policy_access::rt(*owner_);
  std::uint64_t* words = tag_bits_ + std::size_t{rt.tag_slot[i]} * tag_words_;
  std::fill(words, words + tag_words_, 0);
  present_[i] = 1;
  for (const std::string_view tag : tags) add_tag(f, tag);
}

void ticket::add_tag(field_handle f, std::string_view tag) {
  const std::uint32_t i = checked_index(f);
  if (f.type() != field_type::tags) wrong_type(*owner_, i, "tags");
  const detail::policy_access::runtime& rt = detail::policy_access::rt(*owner_);
  if (present_[i] == 0) {
    std::uint64_t* words = tag_bits_ + std::size_t{rt.tag_slot[i]} * tag_words_;
    std::fill(words, words + tag_words_, 0);
    present_[i] = 1;
  }
  // A tag the policy never mentions cannot change a decision: it is not stored.
  const auto it = rt.symbol_by_text.find(tag);
  if (it == rt.symbol_by_text.end()) return;
  tag_bits_[std::size_t{rt.tag_slot[i]} * tag_words_ + it->second / 64] |= std::uint64_t{1} << (it->second % 64);
}

void ticket::clear(field_handle f) {
  const std::uint32_t i = checked_index(f);
  present_[i] = 0;
}

void ticket::reset() noexcept {
  std::fill(present_, present_ + fields_, std::uint8_t{0});
}

std::string_view ticket::get_text(field_handle f) const noexcept {
  if (!present(f)) return {};
  const triage::model& m = owner_->model();
  const field_def& def = m.fields[f.index()];
  if (def.type == field_type::string) return strings_[f.index()];
  if (def.type == field_type::enumeration && def.enum_index < m.enums.size()) {
    const auto& members = m.enums[def.enum_index].members;
    const std::int64_t k = ints_[f.index()];
    if (k >= 0 && static_cast<std::uint64_t>(k) < members.size()) return members[static_cast<std::size_t>(k)];
  }
  return {};
}

bool ticket::has_tag(field_handle f, std::string_view tag) const noexcept {
  if (!present(f) || owner_->model().fields[f.index()].type != field_type::tags) return false;
  const detail::policy_access::runtime& rt = detail::policy_access::rt(*owner_);
  const auto it = rt.symbol_by_text.find(tag);
  if (it == rt.symbol_by_text.end()) return false;
  const std::uint64_t word = tag_bits_[std::size_t{rt.tag_slot[f.index()]} * tag_words_ + it->second / 64];
  return ((word >> (it->second % 64)) & 1u) != 0;
}

std::string ticket::to_json() const {
  const triage::model& m = owner_->model();
  const detail::policy_access::runtime& rt = detail::policy_access::rt(*owner_);
  std::string out = "{";
  bool first = true;
  for (std::uint32_t i = 0; i < m.fields.size(); ++i) {
    if (present_[i] == 0) continue;
    const field_def& def = m.fields[i];
    if (!first) out += ", ";
    first = false;
    detail::append_json_string(out, def.name);
    out += ": ";
    switch (def.type) {
      case field_type::boolean: out += ints_[i] != 0 ? "true" : "false"; break;
      case field_type::integer: out += std::to_string(ints_[i]); break;
      case field_type::number: out += value_text(m, scalar{numbers_[i]}); break;
      case field_type::duration: detail::append_json_string(out, format_duration(ints_[i])); break;
      case field_type::string: detail::append_json_string(out, strings_[i]); break;
      case field_type::enumeration: detail::append_json_string(out, get_text(field_handle(owner_->field_at(i)))); break;
      case field_type::tags: {
        out += '[';
        bool first_tag = true;
        const std::vector<std::string>& symbols = owner_->table().symbols;
        for (std::uint32_t s = 0; s < symbols.size(); ++s) {
          const std::uint64_t word = tag_bits_[std::size_t{rt.tag_slot[i]} * tag_words_ + s / 64];
          if (((word >> (s % 64)) & 1u) == 0) continue;
          if (!first_tag) out += ", ";
          first_tag = false;
          detail::append_json_string(out, symbols[s]);
        }
        out += ']';
        break;
      }
    }
  }
  out += '}';
  return out;
}

}  // namespace triage
