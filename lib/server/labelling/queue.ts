// The labelling queue: who gets which pair, and how a label is recorded. Its rules are here; leases.ts hands
// out pairs, labels.ts records labels, views.ts shows pairs and holds the queue's order.
//
// Leases are slots (see the Lease model): a pair with k = labelsWanted has slots 0..k-1, and
// the database's unique (pairId, slot) decides races, so no pair is ever held by more than
// k people, on SQLite or PostgreSQL, without row locks. Taking a slot is one INSERT that
// either succeeds or hits the constraint, after which the next candidate is tried.
//
// Rules:
// - nextPair gives the user the pair they already hold (lease extended), else the
//   highest-priority open pair they have not labelled (or skipped) that has a free slot.
//   A slot whose lease expired is free again (the pair returns to the pool).
// - A human label needs the user's lease on the pair. A lease that expired but that nobody
//   took over still counts: the late label is accepted rather than lost. So does a lease on a
//   pair retired because its round stopped taking labels (the next round trains on it).
// - A skip is recorded, releases the slot, and does not count towards labelsDone.
// - The k-th non-skip label closes the pair (status done).
// - Synthetic labels need no lease; they take a free slot themselves, so a pair never
//   collects more than k labels, whoever gives them.
// - Retrying with the same labelId returns the stored label; the same id with different
//   content is a CONFLICT. Every refusal is an AppError and writes nothing.
import "server-only";

export { freeSlot, nextPair, pairsWaitingTooLong, releaseLease, type SlotRow, type WaitingPair } from "./leases";
export { recordLabel, type PairProgress, type RecordLabelResult, type StoredLabel } from "./labels";
export { openForUser, QUEUE_ORDER, toTrajectoryView, type LeasedPair, type TrajectoryView } from "./views";
