// Fuzz target, structured: the input bytes are the randomness of the differential test's
// generator (tests/reference/policy_generator.hpp), which turns them into a random VALID
// policy and tickets for it. The engine's decisions are compared with the reference
// interpreter's (tests/reference/reference_interpreter.hpp), as tests/differential_test.cpp
// does; any difference prints both and traps.
//
// Each random draw takes one input byte, so a mutated byte changes one choice of the
// generator and coverage guidance can steer it. Once the bytes run out the draws come from
// a small generator seeded by the input's size, never one word forever (the standard
// distributions reject some words and would draw the same one again). Several tickets are
// decided per policy, because compiling a policy costs more than deciding a ticket.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "fuzz/fuzz_check.hpp"
#include "reference/compact_json.hpp"
#include "reference/policy_generator.hpp"
#include "reference/reference_interpreter.hpp"
#include "triage/analyze.hpp"
#include "triage/check.hpp"
#include "triage/parse.hpp"
#include "triage/policy.hpp"

namespace {

namespace ref = triage::reference;
using triage_fuzz::fail;

constexpr int tickets_per_input = 8;

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

// The reference ticket built with the engine's typed setters.
triage::ticket built(const std::shared_ptr<const triage::policy>& pol, const ref::ticket& fields) {
  triage::ticket t{pol};
  for (const auto& [name, value] : fields) {
    const triage::field_handle f = pol->field(name);
    if (const auto* b = std::get_if<bool>(&value)) {
      t.set(f, *b);
    } else if (const auto* i = std::get_if<std::int64_t>(&value)) {
      if (f.type() == triage::field_type::duration) {
        t.set(f, std::chrono::seconds{*i});
      } else {
        t.set(f, *i);
      }
    } else if (const auto* d = std::get_if<double>(&value)) {
      t.set(f, *d);
    } else if (const auto* text = std::get_if<std::string>(&value)) {
      t.set(f, std::string_view(*text));
    } else {
      const auto& tags = std::get<ref::tag_set>(value);
      std::vector<std::string_view> views(tags.begin(), tags.end());
      t.set_tags(f, std::span<const std::string_view>(views));
    }
  }
  return t;
}

std::string show(const triage::source_file& src, const triage::diagnostics& issues) {
  std::string out;
  for (const triage::diagnostic& d : issues) {
    const triage::position p = src.position_of(d.where.begin);
    out += fmt::format("{}:{}: {}[{}]: {}\n", p.line, p.column, triage::severity_name(d.level),
                       triage::code_name(d.code), d.message);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto bytes = std::make_shared<byte_source>(data, size);
  ref::policy_generator gen{ref::random_source([bytes] { return bytes->next(); }), size};
  const ref::generated_policy g = gen.make_policy();

  // Parsed once, for both: the interpreter walks the tree, the engine compiles the checked
  // model. Compiled without the proofs of `unique` and `complete` outputs, which hold by
  // construction (the differential test compiles with them): the proofs enumerate tickets
  // and would take most of each run, and the analysis has policy_text_fuzz.
  const triage::source_file src{"generated.rules", g.text};
  const triage::parse_result parsed = triage::parse(src);
  if (!parsed.tree) {
    fail(fmt::format("the generated policy does not parse:\n{}--- policy ---\n{}",
                     show(src, parsed.issues), g.text));
  }
  triage::check_result checked = triage::check(*parsed.tree, src);
  if (!checked.value) {
    fail(fmt::format("the generated policy does not check:\n{}--- policy ---\n{}",
                     show(src, checked.issues), g.text));
  }
  const triage::compile_result compiled =
      triage::compile_model_unproven(std::move(*checked.value), src);
  if (!compiled.ok()) {
    fail(fmt::format("the generated policy does not compile:\n{}--- policy ---\n{}",
                     show(src, compiled.issues), g.text));
  }
  const std::shared_ptr<const triage::policy>& pol = compiled.value;
  const ref::interpreter interp{*parsed.tree};

  triage::ticket_decoder decoder{pol};
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
    pol->evaluate(built(pol, gt.fields), from_setters);
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

  // A ticket without a required field is rejected by both, with the same message.
  const auto required = std::find_if(g.fields.begin(), g.fields.end(),
                                     [](const ref::gen_field& f) { return f.required; });
  if (required != g.fields.end()) {
    const ref::generated_ticket bad = gen.make_ticket(g, required->name);
    const std::optional<std::string> expected = interp.validate(bad.fields);
    const bool decoded = decoder.decode(bad.json, t);
    if (!expected || decoded || decoder.error() != *expected) {
      fail(fmt::format("a ticket without required field '{}' is not rejected alike\n"
                       "  decoder:   {}\n  reference: {}\n--- ticket ---\n{}\n--- policy ---\n{}",
                       required->name, decoded ? "accepted" : decoder.error(),
                       expected.value_or("accepted"), bad.json, g.text));
    }
  }
  return 0;
}
