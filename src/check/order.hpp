// triage — the dependency graph between outputs (checker internals): cycles and the
// order in which outputs are decided.
#ifndef TRIAGE_CHECK_ORDER_HPP
#define TRIAGE_CHECK_ORDER_HPP

#include <cstdint>
#include <vector>

namespace triage::detail {

/// `reads[o]` lists the outputs that output `o` reads (sorted, unique): they must be
/// decided before `o`.
using output_graph = std::vector<std::vector<std::uint32_t>>;

/// Returns one cycle for every group of outputs that depend on each other (a strongly
/// connected component with a cycle), ordered by the group's first output. Each cycle
/// starts at the group's smallest index and is a shortest way back to it: `{a, b, c}`
/// means a reads b, b reads c, c reads a. An output reading itself gives `{a}`.
/// Runs in linear time without recursion.
[[nodiscard]] std::vector<std::vector<std::uint32_t>> find_cycles(const output_graph& reads);

/// Returns every output once, dependencies first; among outputs that are ready at the
/// same time the one declared first comes first. Requires a graph without cycles.
[[nodiscard]] std::vector<std::uint32_t> evaluation_order(const output_graph& reads);

}  // namespace triage::detail

#endif  // TRIAGE_CHECK_ORDER_HPP
