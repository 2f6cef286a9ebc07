export type NestingCheck = "within" | "too deep" | "cyclic";

/**
 * Whether `root` nests objects and arrays more than `max` levels deep (`root` itself is level 1).
 * One depth-first pass over an explicit stack, not recursion: an 8 KB body of 5000 nested arrays
 * is exactly what must not overflow the call stack here or in anything that walks the message
 * later. It stops at the first container past the limit and never looks inside strings.
 *
 * A container that is its own ancestor (a cycle: only from code, never from JSON.parse) is told
 * apart as "cyclic", so the caller can say that it cannot be serialised rather than that it is deep.
 */
export function checkNesting(root: object, max: number): NestingCheck {
  const stack: object[] = [root];
  const depths: number[] = [1];
  // path[d - 1] is the container at depth d on the way to the one being expanded: in a LIFO walk
  // the last container popped at depth d - 1 is the parent of every container popped at depth d.
  const path: object[] = [];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const depth = depths.pop()!;
    path[depth - 1] = node;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const child: unknown = node[i];
        if (typeof child !== "object" || child === null) continue;
        if (depth === max) return onPath(path, depth, child) ? "cyclic" : "too deep";
        stack.push(child);
        depths.push(depth + 1);
      }
    } else {
      const record = node as Record<string, unknown>;
      for (const key in record) {
        const child = record[key];
        if (typeof child !== "object" || child === null) continue;
        if (depth === max) return onPath(path, depth, child) ? "cyclic" : "too deep";
        stack.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return "within";
}

function onPath(path: readonly object[], depth: number, node: object): boolean {
  for (let d = 0; d < depth; d++) if (path[d] === node) return true;
  return false;
}
