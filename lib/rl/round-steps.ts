// The named steps of a training round, in order: defined with the other shared words in lib/contracts.
export { ROUND_STEPS, type RoundStep } from "../contracts/words";
