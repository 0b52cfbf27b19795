let installed = false;

/**
 * kafkajs computes a negative timeout on every connection under Node 24 (kafkajs #1751): Node then
 * prints a TimeoutNegativeWarning and uses 1 ms, which is what kafkajs meant. That one warning is
 * dropped; every other warning is still printed.
 */
export function ignoreKafkajsTimeoutWarning(): void {
  if (installed) return;
  installed = true;
  const defaultListeners = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'TimeoutNegativeWarning') return;
    if (defaultListeners.length === 0) console.warn(warning);
    for (const listener of defaultListeners) listener(warning);
  });
}
