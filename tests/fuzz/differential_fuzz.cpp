// Fuzz target, structured: the input bytes are the randomness of the differential test's
// generator (tests/reference/policy_generator.hpp), which turns them into a random VALID
// policy and tickets for it. The engine's decisions are compared with the reference
// interpreter's (tests/reference/reference_interpreter.hpp), as tests/differential_test.cpp
// does; any difference prints both and traps.
//
// Each random draw takes one input byte, so a mutated byte changes one choice of the
// generator and coverage guidance can steer it. Once the bytes run out the draws come from
// a small generator seeded by the input's size, never one word forever (the standard
// distributions reject some words and would draw the same one again).
//
// Compiling a policy costs ten times more than deciding a ticket, so the input has two
// sections, the policy's bytes and the tickets' bytes:
//
//   [policy length: 2 bytes, little-endian] [policy bytes] [ticket bytes]
//
// Policies are cached by their bytes, and the custom mutator below mutates the ticket
// bytes seven times in eight: most runs decide new tickets against a policy already built.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

// AddressSanitizer's heap statistics, in clang's ASan builds (every libFuzzer build). g++
// 12 has neither `__has_feature` nor <sanitizer/allocator_interface.h>; its builds only
// replay saved inputs, which need no bound on the heap.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TRIAGE_FUZZ_ASAN 1
#endif
#endif
#ifdef TRIAGE_FUZZ_ASAN
#include <sanitizer/allocator_interface.h>
#endif

#include "fuzz/fuzz_check.hpp"
#include "reference/compact_json.hpp"
#include "reference/policy_generator.hpp"
#include "reference/reference_interpreter.hpp"
#include "reference/setter_ticket.hpp"
#include "triage/analyze.hpp"
#include "triage/check.hpp"
#include "triage/limits.hpp"
#include "triage/parse.hpp"
#include "triage/policy.hpp"

namespace {

namespace ref = triage::reference;
using triage_fuzz::fail;

constexpr int tickets_per_input = 2;

// The generator's randomness: the input's bytes, one a draw, then splitmix64.
class byte_source {
 public:
  byte_source(const std::uint8_t* data, std::size_t size) : data_(data), size_(size), state_(size) {}
  std::uint64_t next() {
    if (pos_ < size_) {
      // The byte repeated in every octet: its value decides the high bits that the
      // distributions read first (0x00 draws the lowest choice, 0xFF the highest).
      return std::uint64_t{data_[pos_++]} * 0x0101010101010101u;
    }
    state_ += 0x9e3779b97f4a7c15u;
    std::uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
  std::uint64_t state_;
};

std::string show(const triage::source_file& src, const triage::diagnostics& issues) {
  std::string out;
  for (const triage::diagnostic& d : issues) {
    const triage::position p = src.position_of(d.where.begin);
    out += fmt::format("{}:{}: {}[{}]: {}\n", p.line, p.column, triage::severity_name(d.level),
                       triage::code_name(d.code), d.message);
  }
  return out;
}

// The limits policies are compiled with: the defaults, but a tenth of the table rows. A
// table of 100,000 rows (more than 65,536, past any 16-bit row number) exercises what a
// larger one does, while a generated policy of 177,482 rows took 28 s to build under ASan
// and one that ends over the default 1,000,000 holds ~800 MB in the rule it is refused at.
triage::limits fuzz_limits() {
  triage::limits lim;
  lim.max_table_rows = 100'000;
  return lim;
}

// A policy built from one policy section, with everything the comparisons read.
struct built_policy {
  ref::generated_policy g;
  triage::source_file src;
  triage::ast::policy tree;
  // Null if the policy exceeds the table's row limit (ref::only_row_limit_exceeded,
  // fuzz_limits); the first input this target trapped on was such a policy, its lets
  // multiplying out into more than 1,000,000 rows.
  std::shared_ptr<const triage::policy> pol;
  // Kept with the policy, so that a run builds nothing that depends on the policy alone.
  std::unique_ptr<triage::ticket_decoder> decoder;
};

// Generates, parses, checks and compiles the policy of one policy section. Parsed once,
// for both sides: the interpreter walks the tree, the engine compiles the checked model.
// Compiled without the proofs of `unique` and `complete` outputs, which hold by
// construction (the differential test compiles with them): the proofs enumerate tickets
// and would take most of the time, and policy_text_fuzz covers the analysis.
std::unique_ptr<built_policy> build(const std::uint8_t* data, std::size_t size) {
  auto bytes = std::make_shared<byte_source>(data, size);
  ref::policy_generator gen{ref::random_source([bytes] { return bytes->next(); }), size};
  auto b = std::make_unique<built_policy>();
  b->g = gen.make_policy();
  b->src = triage::source_file{"generated.rules", b->g.text};
  triage::parse_result parsed = triage::parse(b->src);
  if (!parsed.tree) {
    fail(fmt::format("the generated policy does not parse:\n{}--- policy ---\n{}",
                     show(b->src, parsed.issues), b->g.text));
  }
  b->tree = std::move(*parsed.tree);
  triage::check_result checked = triage::check(b->tree, b->src);
  if (!checked.value) {
    fail(fmt::format("the generated policy does not check:\n{}--- policy ---\n{}",
                     show(b->src, checked.issues), b->g.text));
  }
  const triage::compile_result compiled =
      triage::compile_model_unproven(std::move(*checked.value), b->src, {}, fuzz_limits());
  if (!compiled.ok()) {
    if (ref::only_row_limit_exceeded(compiled.issues)) return b;
    fail(fmt::format("the generated policy does not compile:\n{}--- policy ---\n{}",
                     show(b->src, compiled.issues), b->g.text));
  }
  b->pol = compiled.value;
  b->decoder = std::make_unique<triage::ticket_decoder>(b->pol);

  // A ticket without a required field is rejected by both, with the same message.
  const auto required = std::find_if(b->g.fields.begin(), b->g.fields.end(),
                                     [](const ref::gen_field& f) { return f.required; });
  if (required != b->g.fields.end()) {
    const ref::interpreter interp{b->tree};
    const ref::generated_ticket bad = gen.make_ticket(b->g, required->name);
    const std::optional<std::string> expected = interp.validate(bad.fields);
    triage::ticket t{b->pol};
    const bool decoded = b->decoder->decode(bad.json, t);
    if (!expected || decoded || b->decoder->error() != *expected) {
      fail(fmt::format("a ticket without required field '{}' is not rejected alike\n"
                       "  decoder:   {}\n  reference: {}\n--- ticket ---\n{}\n--- policy ---\n{}",
                       required->name, decoded ? "accepted" : b->decoder->error(),
                       expected.value_or("accepted"), bad.json, b->g.text));
    }
  }
  return b;
}

// The two sections of an input: the policy's bytes start at 2, the tickets' follow.
std::size_t policy_length(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  return std::min<std::size_t>(data[0] | (std::size_t{data[1]} << 8), size - 2);
}

// The heap's live bytes, where clang's AddressSanitizer counts them; 0 elsewhere, where
// the bounds on policies and rows apply alone.
std::size_t live_heap_bytes() {
#ifdef TRIAGE_FUZZ_ASAN
  return __sanitizer_get_current_allocated_bytes();
#else
  return 0;
#endif
}

// How many times the default bounds of the policy cache (1,000,000 rows, 1.5 GiB of heap) a
// run may use: TRIAGE_FUZZ_CACHE_SCALE, 1 to 16, else 1. After an hour a run's corpus holds
// more policies than the default bounds keep, and most runs rebuild a policy; a long run
// on a machine with memory to spare keeps them with a larger scale (and a -rss_limit_mb
// to match: README, "Fuzzing").
std::size_t cache_scale() {
  const char* text = std::getenv("TRIAGE_FUZZ_CACHE_SCALE");
  if (text == nullptr) return 1;
  const unsigned long scale = std::strtoul(text, nullptr, 10);
  return scale >= 1 && scale <= 16 ? scale : 1;
}

// The policy of a policy section, built on first use and kept while it is among the
// 4,096 used last, the tables kept hold at most 1,000,000 rows, and the heap holds at
// most 1.5 GiB. The fuzzer picks its next input from the whole corpus (after a long run,
// about 2,000 inputs with as many policies) and mostly mutates its tickets, so the cache
// must hold the corpus' policies: a cache of 256 policies dropped whole when full, or one
// of 400,000 rows, rebuilt a policy on most runs (250-270 runs/s against 430 with this
// one, on the same corpus). The one-off policies of policy mutations age out. The heap
// bound keeps a long run under ASan below libFuzzer's -rss_limit_mb=4096 (README,
// "Fuzzing"): without it a run reached 3.9 GB after 4.9 million runs, and one that built
// many new policies in a row (crash minimisation) stopped out of memory at 4.1 GB.
// A run with memory to spare can raise both bounds: see cache_scale.
built_policy& policy_of(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t max_policies = 4096;
  static const std::size_t max_rows = 1'000'000 * cache_scale();
  static const std::size_t max_heap_bytes = (std::size_t{3} << 29) * cache_scale();
  using entry = std::pair<std::string, std::unique_ptr<built_policy>>;
  static std::list<entry> recent;  // most recently used first
  static std::unordered_map<std::string_view, std::list<entry>::iterator> by_bytes;
  static std::size_t rows = 0;
  const auto rows_of = [](const entry& e) -> std::size_t {
    return e.second->pol ? e.second->pol->table().row_count() : 0;
  };

  const std::string_view key(reinterpret_cast<const char*>(data), size);
  if (const auto found = by_bytes.find(key); found != by_bytes.end()) {
    recent.splice(recent.begin(), recent, found->second);
    return *found->second->second;
  }
  recent.emplace_front(std::string(key), build(data, size));
  by_bytes.emplace(recent.front().first, recent.begin());
  rows += rows_of(recent.front());
  while (recent.size() > 1 &&
         (recent.size() > max_policies || rows > max_rows || live_heap_bytes() > max_heap_bytes)) {
    rows -= rows_of(recent.back());
    by_bytes.erase(recent.back().first);
    recent.pop_back();
  }
  return *recent.front().second;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::size_t length = policy_length(data, size);
  const std::size_t policy_start = size < 2 ? size : 2;
  built_policy& b = policy_of(data + policy_start, length);
  // Over the row limit: nothing to compare, and not worth keeping in the corpus (-1 tells
  // libFuzzer so; building such a policy takes seconds under ASan).
  if (!b.pol) return -1;
  const ref::generated_policy& g = b.g;
  const std::shared_ptr<const triage::policy>& pol = b.pol;
  const ref::interpreter interp{b.tree};

  const std::size_t ticket_start = policy_start + length;
  auto bytes = std::make_shared<byte_source>(data + ticket_start, size - ticket_start);
  ref::policy_generator gen{ref::random_source([bytes] { return bytes->next(); }), size};
  triage::ticket_decoder& decoder = *b.decoder;
  triage::ticket t{pol};
  triage::decision d{pol};
  std::vector<triage::ticket> batch;
  std::vector<std::string> batch_expected;
  for (int k = 0; k < tickets_per_input; ++k) {
    const ref::generated_ticket gt = gen.make_ticket(g);
    const auto context = [&] {
      return fmt::format("--- ticket ---\n{}\n--- policy ---\n{}", gt.json, g.text);
    };
    if (const auto invalid = interp.validate(gt.fields)) {
      fail("the generator made an invalid ticket: " + *invalid + "\n" + context());
    }
    if (!decoder.decode(gt.json, t)) {
      fail("the decoder rejects a valid ticket: " + decoder.error() + "\n" + context());
    }
    triage::evaluation_trace trace;
    pol->evaluate(t, d, trace);
    const std::string engine = ref::compact_json(d.to_json());
    const ref::decision reference = interp.evaluate(gt.fields);
    const std::string expected = reference.to_json();
    if (engine != expected) {
      fail(fmt::format("decisions differ\n  engine:    {}\n  reference: {}\n  decoded:   {}\n{}",
                       engine, expected, t.to_json(), context()));
    }
    for (std::size_t o = 0; o < reference.matched.size(); ++o) {
      const auto rules = trace.matched(pol->output_at(static_cast<std::uint32_t>(o)));
      if (!std::equal(rules.begin(), rules.end(), reference.matched[o].begin(),
                      reference.matched[o].end())) {
        fail(fmt::format("the trace of output '{}' differs\n  engine:    [{}]\n  reference: [{}]\n{}",
                         reference.outputs[o].first, fmt::join(rules, ", "),
                         fmt::join(reference.matched[o], ", "), context()));
      }
    }
    triage::decision from_setters{pol};
    pol->evaluate(ref::setter_ticket(pol, gt.fields), from_setters);
    if (ref::compact_json(from_setters.to_json()) != expected) {
      fail(fmt::format("a ticket built with setters decides differently\n  setters:   {}\n"
                       "  reference: {}\n{}", ref::compact_json(from_setters.to_json()),
                       expected, context()));
    }
    batch.push_back(t);
    batch_expected.push_back(expected);
  }

  // All tickets at once decide as each alone.
  std::vector<triage::decision> batch_out(batch.size(), triage::decision{pol});
  pol->evaluate(std::span<const triage::ticket>(batch), std::span<triage::decision>(batch_out));
  for (std::size_t k = 0; k < batch.size(); ++k) {
    if (ref::compact_json(batch_out[k].to_json()) != batch_expected[k]) {
      fail(fmt::format("the batch evaluate differs on ticket #{}\n  batch:     {}\n  reference: {}\n"
                       "--- policy ---\n{}", k, ref::compact_json(batch_out[k].to_json()),
                       batch_expected[k], g.text));
    }
  }

  return 0;
}

// Mutates the ticket section seven times in eight, the policy section (its length kept in
// the first two bytes) otherwise.
extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size,
                                              std::size_t max_size, unsigned int seed) {
  if (size < 2 || max_size < 2) return LLVMFuzzerMutate(data, size, max_size);
  const std::size_t length = policy_length(data, size);
  std::uint8_t* const policy = data + 2;
  std::uint8_t* const tickets = policy + length;
  const std::size_t ticket_size = size - 2 - length;
  const auto write_length = [&](std::size_t n) {
    data[0] = static_cast<std::uint8_t>(n & 0xff);
    data[1] = static_cast<std::uint8_t>(n >> 8);
  };
  if (seed % 8 != 0) {
    // The length is written back as read (capped to the input), so that a longer ticket
    // section cannot lengthen the policy section.
    write_length(length);
    return 2 + length + LLVMFuzzerMutate(tickets, ticket_size, max_size - 2 - length);
  }
  const std::vector<std::uint8_t> kept(tickets, tickets + ticket_size);
  if (max_size - 2 < ticket_size) return size;
  const std::size_t new_length = LLVMFuzzerMutate(policy, length, max_size - 2 - ticket_size);
  write_length(new_length);
  std::copy(kept.begin(), kept.end(), policy + new_length);
  return 2 + new_length + ticket_size;
}
