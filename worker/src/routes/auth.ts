/** Sign-up and sign-in. Both answer `{ token, user }`. */
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { DUMMY_HASH, hashPassword, verifyPassword } from "../auth/password.ts";
import { issueToken } from "../auth/tokens.ts";
import { getDb } from "../db/client.ts";
import { users } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../lib/errors.ts";
import { logger } from "../lib/log.ts";
import { jsonBody } from "../lib/validate.ts";
import { claimLoginAttempt, claimRegistration, clearLoginAttempts } from "../limits/login-limiter.ts";
import { clientAddress, publicUser } from "./serialize.ts";

const EmailSchema = z
  .string({ error: "Email is required" })
  .trim()
  .toLowerCase()
  .max(254, { error: "Email is too long" })
  .pipe(z.email({ error: "Enter a valid email address" }));

const RegisterSchema = z.object({
  email: EmailSchema,
  password: z
    .string({ error: "Password is required" })
    .min(8, { error: "Password must be at least 8 characters" })
    .max(200, { error: "Password must be at most 200 characters" }),
});
const LoginSchema = z.object({
  email: EmailSchema,
  password: z.string({ error: "Password is required" }).min(1, { error: "Password is required" }).max(200),
});

export const authRoutes = new Hono<AppEnv>()
  .post("/register", jsonBody(RegisterSchema), async (c) => {
    const { email, password } = c.req.valid("json");
    await claimRegistration(c.env, clientAddress(c));
    const db = getDb(c.env);
    const row = {
      id: crypto.randomUUID(),
      email,
      passwordHash: await hashPassword(password.normalize("NFC")),
      createdAt: Date.now(),
    };
    // The unique index decides races; no read-then-write.
    const inserted = await db
      .insert(users)
      .values(row)
      .onConflictDoNothing({ target: users.email })
      .returning();
    const user = inserted[0];
    if (!user) throw new ApiError(409, "conflict", "An account with this email already exists.");
    logger(c).info("user registered", { user_id: user.id });
    const { token, expiresAt } = await issueToken(c.env, user);
    return c.json({ token, expires_at: expiresAt, user: publicUser(user) }, 201);
  })
  .post("/login", jsonBody(LoginSchema), async (c) => {
    const { email, password } = c.req.valid("json");
    const address = clientAddress(c);
    // Recorded before the password is checked, atomically: parallel guesses cannot all get through.
    const claim = await claimLoginAttempt(c.env, email, address);
    const user = await getDb(c.env).select().from(users).where(eq(users.email, email)).get();
    // Passwords are compared in NFC, as they are stored: "é" typed as one code point or as "e" and
    // a combining accent is the same password. An account made before that stored the raw form.
    const nfc = password.normalize("NFC");
    const hash = user?.passwordHash ?? DUMMY_HASH;
    const ok =
      (await verifyPassword(nfc, hash)) || (nfc !== password && (await verifyPassword(password, hash)));
    if (!user || !ok) {
      logger(c).warn("login failed", { address });
      throw new ApiError(401, "unauthorized", "Email or password is incorrect.");
    }
    await clearLoginAttempts(c.env, claim);
    const { token, expiresAt } = await issueToken(c.env, user);
    return c.json({ token, expires_at: expiresAt, user: publicUser(user) }, 200);
  });
