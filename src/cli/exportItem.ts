/** One entry read from a Segment export: a message, or why the text at that line is not one. */
export type ExportItem = { line: number; message: unknown } | { line: number; error: string };

/** Parses one line or array element; bad JSON is data (an error item), never a throw. */
export function parseExportText(line: number, text: string): ExportItem {
  try {
    return { line, message: JSON.parse(text) as unknown };
  } catch (error) {
    return { line, error: `invalid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}
