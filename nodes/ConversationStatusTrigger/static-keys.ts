/** Keys of the trigger node's workflow static data. */
export const WEBHOOK_KEY = 'webhook';
export const MEMORY_KEY = 'memory';
