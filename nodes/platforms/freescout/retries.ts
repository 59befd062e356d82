/**
 * How long FreeScout may still send a delivery after the change it shows (reference: freescout.md §2 "Retries",
 * module 1.0.82 Console/WebhooksProcess.php and Entities/WebhookLog.php):
 * - a failed delivery is retried by `freescout:webhooks-process`, run every minute, once the log row's updated_at
 *   is older than (attempts − 1) × 2 minutes, until 10 attempts: waits of 0, 2, 4 … 16 minutes between the 10
 *   attempts, 72 minutes, plus up to a minute for the next run and a minute for the attempt itself (30 s connect,
 *   30 s timeout) each time: 90 minutes at most; the module's documentation says "during 2 hours";
 * - a retry re-sends the stored body, so its thread and status times are those of the first attempt, which itself
 *   goes out through FreeScout's queue (after the undo delay for replies) shortly after the change.
 * The window is the documented 2 hours plus 30 minutes for a first attempt held in the queue and for the two
 * clocks' difference. It stays below the memory's fingerprint time (3 hours), so every retry inside it is still
 * recognized as a retry.
 */
const DOCUMENTED_RETRY_PERIOD_MS = 2 * 60 * 60 * 1000;
const QUEUE_AND_CLOCK_ALLOWANCE_MS = 30 * 60 * 1000;

export const RETRY_WINDOW_MS = DOCUMENTED_RETRY_PERIOD_MS + QUEUE_AND_CLOCK_ALLOWANCE_MS;
