/** Name of the folder created beside the inputs when no --out is given (never scanned for inputs). */
export const DEFAULT_OUT_FOLDER = 'dehazed';
