/**
 * Turns off onnxruntime-node's telemetry. Since 1.22 it records events (each session's creation,
 * run times, the machine's figures, under a persistent device id) into
 * ~/.cache/Microsoft/DeveloperTools/.onnxruntime on Linux and macOS, queued for upload: not what
 * an app that promises no network and no trace of the user's work may leave behind. onnxruntime
 * reads ORT_DISABLE_TELEMETRY from the process's environment. A worker thread's `process.env` is
 * its own copy, made when it starts, so the variable must be set by the thread that starts it:
 * node/photo-threads.ts, which starts every photo thread, imports this module first, and
 * backend-node.ts imports it before onnxruntime-node for a thread that loads it itself.
 */
process.env.ORT_DISABLE_TELEMETRY = '1';

export {};
