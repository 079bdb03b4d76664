// ConnLife (native/conn_life.h) along every path of the lifetime rule, without Node.
#include "conn_life.h"

#include "check.h"

using ringpoll::ConnLife;

namespace {

void ConnectingHoldsTheLoopWhateverUnref() {
  ConnLife l(true);
  CHECK(l.connecting() && !l.open() && !l.closed());
  CHECK(l.HoldsLoop());
  CHECK(l.SetRef(false) == 0);  // a pending connect holds the loop, as node's connect request does
  CHECK(l.HoldsLoop());
  CHECK(l.Connected() == -1);   // ... and the unref() takes effect once connected
  CHECK(l.open() && !l.HoldsLoop());
  CHECK(l.SetRef(true) == 1);
  CHECK(l.SetRef(true) == 0);
}

void ClosesOnce() {
  ConnLife l(false);
  bool end_first = true;
  int hold = 0;
  CHECK(l.Close(&end_first, &hold));
  CHECK(!end_first && hold == -1);
  CHECK(l.closed() && !l.open() && !l.HoldsLoop());
  CHECK(!l.Close(&end_first, &hold));  // a second close path finds it closed
  CHECK(l.SetRef(true) == 0);          // a closed connection never holds the loop
  CHECK(!l.EndSeen());
}

void UnrefdCloseReleasesNoHold() {
  ConnLife l(false);
  CHECK(l.SetRef(false) == -1);
  bool end_first = false;
  int hold = 1;
  CHECK(l.Close(&end_first, &hold));
  CHECK(hold == 0);
}

void HeldEndGoesBeforeTheClose() {
  ConnLife l(false);
  l.PeerEnded(true);
  CHECK(l.peer_ended() && l.end_held());
  bool end_first = false;
  int hold = 0;
  CHECK(l.Close(&end_first, &hold));
  CHECK(end_first && !l.end_held());
  CHECK(!l.ReleaseEnd());  // the next poll phase finds nothing left to deliver
}

void HeldEndReleasedOnce() {
  ConnLife l(false);
  l.PeerEnded(true);
  CHECK(l.ReleaseEnd());
  CHECK(!l.ReleaseEnd());
  bool end_first = true;
  int hold = 0;
  CHECK(l.Close(&end_first, &hold));
  CHECK(!end_first);
}

void PeerFinClosesOnceJsHasSeenIt() {
  ConnLife l(false);
  CHECK(!l.EndSeen());  // no FIN yet: endSeen() changes nothing
  l.PeerEnded(false);
  CHECK(!l.end_held());
  CHECK(!l.CloseDue(false));  // the application has not had the FIN yet
  CHECK(l.EndSeen());
  CHECK(l.end_seen() && l.CloseDue(false));
}

void HalfOpenWaitsForOurFin() {
  ConnLife l(false);
  l.PeerEnded(false);
  CHECK(l.EndSeen());
  CHECK(!l.CloseDue(true));
  CHECK(!l.ShutdownDue());
  l.WriteEnded();
  CHECK(l.ShutdownDue());
  CHECK(!l.CloseDue(true));
  l.ShutdownSent();
  CHECK(!l.ShutdownDue());
  CHECK(l.CloseDue(true));
}

void ResetReportsNothingUnsent() {
  ConnLife l(false);
  CHECK(l.ReportsUnsent());
  l.DropOutput();
  CHECK(!l.ReportsUnsent());
}

void FreedOnceJsAndTheBackendAreDone() {
  bool end_first = false;
  int hold = 0;
  ConnLife open(false);
  CHECK(!open.JsSawClose(false));  // not closed: nothing to free

  ConnLife idle(false);
  idle.Close(&end_first, &hold);
  CHECK(!idle.BackendDone());      // JS has not seen the close: the slot stays
  CHECK(idle.JsSawClose(false));   // no operation in flight: freed now

  ConnLife busy(false);
  busy.Close(&end_first, &hold);
  CHECK(!busy.JsSawClose(true));   // an operation still uses the memory
  CHECK(busy.orphaned() && busy.closed());
  CHECK(!busy.JsSawClose(false));  // seen once is enough
  CHECK(busy.BackendDone());
}

}  // namespace

int main() {
  ConnectingHoldsTheLoopWhateverUnref();
  ClosesOnce();
  UnrefdCloseReleasesNoHold();
  HeldEndGoesBeforeTheClose();
  HeldEndReleasedOnce();
  PeerFinClosesOnceJsHasSeenIt();
  HalfOpenWaitsForOurFin();
  ResetReportsNothingUnsent();
  FreedOnceJsAndTheBackendAreDone();
  return check::Failures() != 0;
}
