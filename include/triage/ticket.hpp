// triage — tickets: the input of an evaluation, built by typed setters or decoded from JSON.
//
// A `ticket` is a flat record bound to one policy's schema: one slot per field, no string
// lookups per ticket (names are resolved once into `field_handle`s), and storage that is
// kept across `reset()` so a host can reuse one ticket for a whole stream. Tags the policy
// never mentions cannot change a decision, so a ticket keeps only the tags its policy
// mentions (as a bitset); `has_tag` is false for the others.
//
// Example:
//   triage::ticket t{pol};
//   t.set(pol->field("impact"), "high");
//   t.set(pol->field("reopened"), 2);
//   t.set(pol->field("sla"), std::chrono::minutes{90});
//   t.set_tags(pol->field("tags"), {"vpn", "wifi"});
//
//   triage::ticket_decoder dec{pol};            // JSON Lines, one object per call
//   if (!dec.decode(R"({"id": "T-1", "impact": "high"})", t)) std::puts(dec.error().c_str());
//   dec.id_json();                              // "\"T-1\""
//
// Misuse (an invalid handle, a value of the wrong type for the field, an unknown enum
// member given by name) throws std::invalid_argument; untrusted input goes through
// `ticket_decoder`, which reports problems as data.
#ifndef TRIAGE_TICKET_HPP
#define TRIAGE_TICKET_HPP

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "triage/limits.hpp"
#include "triage/policy.hpp"

namespace triage {

namespace detail {
struct decoder_state;
}  // namespace detail

/// A ticket: a value (or nothing) for every field of one policy's schema.
///
/// Not thread-safe for writing; a `const ticket` may be evaluated from several threads.
class ticket {
 public:
  /// Makes a ticket for `p`'s schema with every field missing. `p` must not be null.
  explicit ticket(std::shared_ptr<const triage::policy> p);

  ticket(const ticket& other);
  ticket& operator=(const ticket& other);
  ticket(ticket&& other) noexcept;
  ticket& operator=(ticket&& other) noexcept;
  ~ticket();

  /// Returns the policy whose schema this ticket follows.
  [[nodiscard]] const std::shared_ptr<const triage::policy>& owner() const noexcept {
    return owner_;
  }

  /// Sets a `bool` field.
  void set_bool(field_handle f, bool v);
  /// Sets an `int` field, a `number` field (converted to double) or a `duration` field
  /// (in seconds).
  void set_int(field_handle f, std::int64_t v);
  /// Sets a `number` field. The value must be finite.
  void set_number(field_handle f, double v);
  /// Sets a `duration` field.
  void set_duration(field_handle f, std::chrono::seconds v);
  /// Sets a `string` field, or an `enum` field by member name.
  void set_text(field_handle f, std::string_view v);
  /// Sets an `enum` field by member index (declaration order, from 0).
  void set_member(field_handle f, std::uint32_t index);
  /// Sets a `tags` field to exactly these tags (an empty list is present and empty).
  void set_tags(field_handle f, std::span<const std::string_view> tags);
  /// Sets a `tags` field to exactly these tags.
  void set_tags(field_handle f, std::initializer_list<std::string_view> tags) {
    set_tags(f, std::span<const std::string_view>(tags.begin(), tags.size()));
  }
  /// Adds one tag to a `tags` field, making it present if it was missing.
  void add_tag(field_handle f, std::string_view tag);

  /// Sets a `bool` field.
  void set(field_handle f, bool v) { set_bool(f, v); }
  /// Sets an `int`, `number` or `duration` (seconds) field from any integer type.
  template <std::integral T>
    requires(!std::same_as<T, bool>)
  void set(field_handle f, T v) {
    set_int(f, static_cast<std::int64_t>(v));
  }
  /// Sets a `number` field.
  template <std::floating_point T>
  void set(field_handle f, T v) {
    set_number(f, static_cast<double>(v));
  }
  /// Sets a `duration` field (`std::chrono::minutes{90}` converts implicitly).
  void set(field_handle f, std::chrono::seconds v) { set_duration(f, v); }
  /// Sets a `string` field, or an `enum` field by member name.
  void set(field_handle f, std::string_view v) { set_text(f, v); }
  /// Sets a `string` field, or an `enum` field by member name (without this overload a
  /// string literal would convert to `bool`).
  void set(field_handle f, const char* v) { set_text(f, std::string_view(v)); }

  /// Makes a field missing.
  void clear(field_handle f);
  /// Makes every field missing; keeps the storage for the next ticket.
  void reset() noexcept;

  /// Returns true when the field holds a value.
  [[nodiscard]] bool present(field_handle f) const noexcept {
    return f.index() < fields_ && present_[f.index()] != 0;
  }
  /// Returns a `bool` field's value (false when missing).
  [[nodiscard]] bool get_bool(field_handle f) const noexcept {
    return present(f) && ints_[f.index()] != 0;
  }
  /// Returns an `int` field's value, a `duration` in seconds or an `enum` member index
  /// (0 when missing).
  [[nodiscard]] std::int64_t get_int(field_handle f) const noexcept {
    return present(f) ? ints_[f.index()] : 0;
  }
  /// Returns a `number` field's value (0 when missing).
  [[nodiscard]] double get_number(field_handle f) const noexcept {
    return present(f) ? numbers_[f.index()] : 0.0;
  }
  /// Returns a `string` field's text or an `enum` field's member name (empty when missing).
  [[nodiscard]] std::string_view get_text(field_handle f) const noexcept;
  /// Returns true when a `tags` field holds `tag`. Only tags the policy mentions are kept,
  /// so this is false for any other tag.
  [[nodiscard]] bool has_tag(field_handle f, std::string_view tag) const noexcept;

  /// Returns the ticket as a compact JSON object: present fields in declaration order,
  /// durations as text ("1h30m"), tags as an array of the (mentioned) tags it holds.
  [[nodiscard]] std::string to_json() const;

 private:
  friend class triage::policy;
  friend struct detail::policy_access;
  friend struct detail::subject_reader;
  friend struct detail::decoder_state;
  [[nodiscard]] std::uint32_t checked_index(field_handle f) const;
  // Stores string field i's value, and its ASCII lower-cased copy when the policy's text
  // tests read one.
  void store_text(std::uint32_t i, std::string_view v);

  // Points present_, ints_, numbers_ and tag_bits_ into the block.
  void place_block() noexcept;
  // Copies the block's size, bytes and (when on the heap) storage from `other`.
  void copy_block(const ticket& other);
  // Leaves a moved-from ticket with no fields (every field reads as missing).
  void forget_block() noexcept;

  std::shared_ptr<const triage::policy> owner_;
  // One block holds every fixed-size value, in this order, so that a ticket's values share
  // a few cache lines: evaluating a stream of tickets is bound by fetching them. The block
  // lives inside the ticket when it fits (a dozen fields do), so that an array of tickets
  // is one flat run of memory; larger schemas put it on the heap.
  static constexpr std::size_t inline_block_bytes = 256;
  alignas(std::uint64_t) std::byte inline_block_[inline_block_bytes] = {};
  std::unique_ptr<std::byte[]> heap_block_;
  std::size_t block_bytes_ = 0;
  std::uint32_t fields_ = 0;
  std::uint8_t* present_ = nullptr;     // per field: 1 when it holds a value
  std::int64_t* ints_ = nullptr;        // per field: bool, int, duration (s), enum member
  double* numbers_ = nullptr;           // per field: number values
  std::uint64_t* tag_bits_ = nullptr;   // tags fields: a bitset over table().symbols each
  std::vector<std::string> strings_;    // per field: string values (others stay empty)
  std::vector<std::string> folded_;     // per field: lower-cased copy, for text tests
  std::uint32_t tag_words_ = 0;         // 64-bit words per tags field
};

/// Decodes JSON tickets (one object per call, as in a JSON Lines stream) into `ticket`s,
/// validating them against the policy's schema (language reference 3.1 and 4).
///
/// Unknown keys are ignored; `null` is the same as a missing key. Rejected, with
/// `error()` naming the field and the problem: a wrong type (`field 'sla': expected a
/// duration such as "1h30m" or a number of seconds, found true`), an unknown enum member
/// (`field 'urgency': "hgih" is not one of low, medium, high, critical`), an invalid
/// duration, an `int` written `3.0` or `3e0`, a missing required field (`missing required
/// field 'impact'`), a key given twice, whichever key (`duplicate key 'sla'`: JSON leaves
/// duplicates open and parsers disagree on which value wins, so none is guessed), a value
/// that is not an object (`not a JSON object`), malformed JSON, invalid UTF-8 or trailing
/// text (`invalid JSON: ...`), and input past a `ticket_limits` limit, which is named
/// (`field 'tags': 257 tags, more than max_tags_per_ticket (256)`). Text from the input is
/// quoted escaped in messages (control characters, bidirectional controls), never raw.
///
/// Reusable: buffers are kept between calls. One decoder per thread.
class ticket_decoder {
 public:
  /// Makes a decoder for `p`'s schema. `id_key` names the key whose value `id_json()`
  /// echoes (the `rulecheck eval --id-field` option); `lim` bounds what a ticket may hold.
  /// Throws std::invalid_argument when `p` is null or `lim.max_json_nesting` is 0, and
  /// std::bad_alloc when the parser's per-level state for `max_json_nesting` cannot be had.
  explicit ticket_decoder(std::shared_ptr<const triage::policy> p, std::string id_key = "id",
                          const ticket_limits& lim = {});
  ~ticket_decoder();
  ticket_decoder(ticket_decoder&&) noexcept;
  ticket_decoder& operator=(ticket_decoder&&) noexcept;
  ticket_decoder(const ticket_decoder&) = delete;
  ticket_decoder& operator=(const ticket_decoder&) = delete;

  /// Decodes one JSON object into `out` (which is reset first and must be bound to the
  /// same policy). Returns false, with `error()` set, when the ticket is rejected.
  [[nodiscard]] bool decode(std::string_view json, ticket& out);
  /// Returns the reason the last `decode` failed (empty after a success).
  [[nodiscard]] const std::string& error() const noexcept;
  /// Returns the id key's value from the last `decode` as compact JSON text (`"T-1"`,
  /// `42`), or `null` when the key was absent or the input was not a JSON object. Set
  /// even when the ticket was rejected for another reason.
  [[nodiscard]] const std::string& id_json() const noexcept;

 private:
  std::unique_ptr<detail::decoder_state> impl_;
};

}  // namespace triage

#endif  // TRIAGE_TICKET_HPP
