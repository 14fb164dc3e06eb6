// What the data-path view shows at one instant: the tokens on the edges (grouped,
// so thousands of overlapping copies draw as one token with a count), the marks
// and where each user thread is. Pure data, so tests can check it without pixels.
#pragma once
#include <QString>
#include <vector>

#include "gui/run_index.h"
#include "gui/run_state.h"

namespace kiosim::gui {

enum class TokenKind { cpu_copy, dma, page_ref };

struct Token {
  Place from = Place::none, to = Place::none;
  TokenKind kind = TokenKind::cpu_copy;
  std::vector<double> fractions;  // where along the edge (0 = source); at most 3 drawn
  int count = 0;                  // events grouped in this token
  std::uint64_t bytes = 0;
};

struct Mark {
  Kind kind = kOtherKind;
  int count = 0;
};

struct ThreadPos {
  QString name;
  bool inKernel = false;
};

struct Frame {
  std::vector<Token> tokens;
  std::vector<Mark> marks;
  std::vector<ThreadPos> threads;  // the user lanes
  int nicBusy = 0;                 // skbs the NIC is sending now
  bool diskBusy = false;
  QString lastEvent;               // a one-line description of the event just played
  int tokenCount(TokenKind k) const;
  const Token* token(Place from, Place to) const;
  int markCount(Kind k) const;
};

// `applied`: this run's events that have happened; `now`: the clock; `linger`: how
// long instants stay visible. `last`: the run's event that just happened, or -1.
Frame computeFrame(const RunTrace& run, const RunIndex& index, const RunState& state, double now,
                   double linger, long long last);

QString describeEvent(const RunTrace& run, const Event& e);
QString formatNs(double ns);
QString formatBytes(double bytes);

}  // namespace kiosim::gui
