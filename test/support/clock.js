// Moves Date.now (only it; timers stay real) to another moment, going on from there at the real pace: for
// deliveries captured on a past day, which FreeScout's replay window would otherwise refuse as old.
const realNow = Date.now;

/** From now on Date.now() reads `epochMs` and goes on from there; undone by jest.restoreAllMocks(). */
function dateNowFrom(epochMs) {
	const offset = epochMs - realNow();
	return jest.spyOn(Date, 'now').mockImplementation(() => realNow() + offset);
}

module.exports = { dateNowFrom };
