import { z } from "zod";
import { MAX_AMOUNT, parseMoney } from "./parseAmount.js";
import { parseCrmTime } from "./parseCrmTime.js";
import type { CrmIdField, CrmParseResult } from "./types.js";

// DESIGN: `dealId` (or `orderId` / `leadId`), `amount` (or `total`). The
// first one present wins; the others are not read, so a CRM that sends an
// unrelated `total` beside `amount` is not rejected for it.
const ID_FIELDS = ["dealId", "orderId", "leadId"] as const satisfies readonly CrmIdField[];
const AMOUNT_FIELDS = ["amount", "total"] as const;

const AMOUNT_RULE = 'must be a number or a money string like "1,200.50", "$19.99" or "1.299,00 €"';
const TIME_RULE = "must be an ISO 8601 date-time (or epoch seconds/milliseconds) from 1970 to 9999";

const required = (rule: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? "is required" : rule;

const ID_RULE = "must be a non-empty string or a whole number";
// Ids may be numbers in JSON (auto-increment ids); they are kept as strings.
const idValue = z
  .union([z.string().trim().min(1, { error: ID_RULE }), z.number().int().nonnegative({ error: ID_RULE })], {
    error: required(ID_RULE),
  })
  .transform(String);

const amountValue = z
  .union([z.number(), z.string()], { error: AMOUNT_RULE })
  .transform((value, ctx) => {
    const money = parseMoney(value);
    if (money.kind === "ok") return money;
    const outOfRange = Number.isFinite(typeof value === "number" ? value : NaN) || money.reason.includes("out of range");
    ctx.addIssue({ code: "custom", message: outOfRange ? `must be at most ${MAX_AMOUNT.toExponential()} either way` : AMOUNT_RULE });
    return z.NEVER;
  });

const timeValue = z
  .union([z.string(), z.number()], { error: TIME_RULE })
  .transform((value, ctx) => {
    const at = parseCrmTime(value);
    if (at === null) ctx.addIssue({ code: "custom", message: TIME_RULE });
    return at ?? z.NEVER;
  });

export const hitSchema = z.object({
  dealId: idValue,
  status: z.string({ error: required("must be a string") }).trim().min(1, { error: "is required" }),
  amount: amountValue.optional(),
  // ISO 4217: revenue is summed per currency, so a free-text unit would split totals.
  currency: z
    .string({ error: "must be a string" })
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{3}$/, { error: "must be a three-letter ISO 4217 code" })
    .optional(),
  userId: idValue.optional(),
  // Deliberately loose: a CRM's odd but real address must not cost us the hit.
  email: z
    .string({ error: "must be a string" })
    .trim()
    .toLowerCase()
    .regex(/^[^\s@]+@[^\s@]+$/, { error: "must be an email address" })
    .optional(),
  anonymousId: idValue.optional(),
  createdAt: timeValue.optional(),
  updatedAt: timeValue.optional(),
});
type HitFields = keyof typeof hitSchema.shape;

/**
 * Reads one CRM webhook body (JSON, or form-encoded where every value is a
 * string). Empty strings and nulls count as absent, since forms cannot omit
 * a field that a CRM template always renders. `receivedAt` is epoch ms.
 */
export function parseCrmHit(body: Record<string, unknown>, receivedAt: number): CrmParseResult {
  const idField = ID_FIELDS.find((field) => present(body[field]) !== undefined) ?? "dealId";
  const amountField = AMOUNT_FIELDS.find((field) => present(body[field]) !== undefined) ?? "amount";
  // Errors name the field the CRM sent (`orderId`, `total`), not our alias.
  const fieldName = (key: PropertyKey | undefined): string =>
    key === "dealId" ? idField : key === "amount" ? amountField : typeof key === "string" ? key : "body";
  const input: Record<HitFields, unknown> = {
    dealId: present(body[idField]),
    status: present(body.status),
    amount: present(body[amountField]),
    currency: present(body.currency),
    userId: present(body.userId),
    email: present(body.email),
    anonymousId: present(body.anonymousId),
    createdAt: present(body.createdAt),
    updatedAt: present(body.updatedAt),
  };

  const parsed = hitSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = fieldName(issue?.path[0]);
    const message = issue?.path[0] === "dealId" && input.dealId === undefined
      ? "dealId (or orderId / leadId) is required"
      : `${field} ${issue?.message ?? "is invalid"}`;
    return { kind: "invalid", field, message };
  }

  const fields = parsed.data;
  if (fields.userId === undefined && fields.email === undefined && fields.anonymousId === undefined) {
    return {
      kind: "invalid",
      field: "userId",
      message: "userId, email or anonymousId is required to find the person",
    };
  }
  // "100 EUR" says its currency; a currency field that says otherwise is a contradiction.
  const hinted = fields.amount?.currency ?? null;
  if (hinted !== null && fields.currency !== undefined && hinted !== fields.currency) {
    return { kind: "invalid", field: amountField, message: `${amountField} is in ${hinted} but currency is ${fields.currency}` };
  }
  const updatedAt = fields.updatedAt ?? receivedAt;
  return {
    kind: "ok",
    hit: {
      dealId: fields.dealId,
      idField,
      status: fields.status,
      amount: fields.amount?.amount ?? null,
      currency: fields.currency ?? hinted,
      userId: fields.userId ?? null,
      email: fields.email ?? null,
      anonymousId: fields.anonymousId ?? null,
      createdAt: fields.createdAt ?? updatedAt,
      createdAtGiven: fields.createdAt !== undefined,
      updatedAt,
      receivedAt,
    },
  };
}

function present(value: unknown): unknown {
  if (value === null || (typeof value === "string" && value.trim() === "")) return undefined;
  return value;
}
