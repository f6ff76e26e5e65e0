import { env } from "cloudflare:test";
import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from "../src/auth/tokens.ts";
import { call, client, postJson, signUp } from "./helpers.ts";

const me = (token: string) => call("/api/me", { headers: { Authorization: `Bearer ${token}` } });

describe("accounts", () => {
  it("registers, logs in and reads /api/me", async () => {
    const { token, user, email, password } = await signUp(undefined);
    expect(user.email).toBe(email);
    const meRes = await me(token);
    expect(meRes.status).toBe(200);
    expect(await meRes.json()).toMatchObject({ user: { id: user.id, email, total_cost: 0 } });

    const login = await client().api.auth.login.$post({ json: { email: email.toUpperCase(), password } });
    expect(login.status).toBe(200);
    const body = (await login.json()) as { token: string; user: { id: string } };
    expect(body.user.id).toBe(user.id);
    expect((await me(body.token)).status).toBe(200);
  });

  it("stores the PBKDF2 parameters and salt with the hash, never the password", async () => {
    const { email, password } = await signUp(undefined, "a-password-to-find");
    const row = await env.DB.prepare("SELECT password_hash FROM users WHERE email = ?")
      .bind(email)
      .first<{ password_hash: string }>();
    expect(row?.password_hash).toMatch(/^pbkdf2-sha256\$100000\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(row?.password_hash).not.toContain(password);
  });

  it("refuses a duplicate email with 409", async () => {
    const { email } = await signUp();
    const res = await postJson("/api/auth/register", { email, password: "another password" });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({
      error: { code: "conflict", message: expect.stringContaining("already exists") },
    });
  });

  it("refuses a wrong password and an unknown email with the same 401", async () => {
    const { email } = await signUp();
    const wrong = await postJson("/api/auth/login", { email, password: "not the password" });
    const unknown = await postJson("/api/auth/login", { email: "nobody@example.com", password: "whatever" });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await wrong.json()).toEqual(await unknown.json());
  });

  it("validates registration fields with a message per field", async () => {
    const res = await postJson("/api/auth/register", { email: "not-an-email", password: "short" });
    expect(res.status).toBe(400);
    const body = (await res.json()) as {
      error: { code: string; details: { fields: Record<string, string[]> } };
    };
    expect(body.error.code).toBe("validation_failed");
    expect(body.error.details.fields.email?.[0]).toMatch(/valid email/);
    expect(body.error.details.fields.password?.[0]).toMatch(/at least 8/);
  });

  it("limits failed logins per email with 429 and Retry-After", async () => {
    const { email, password } = await signUp();
    for (let i = 0; i < 10; i++) {
      const res = await postJson("/api/auth/login", { email, password: `wrong-${i}` }, undefined, {
        "cf-connecting-ip": `10.0.0.${i}`,
      });
      expect(res.status).toBe(401);
    }
    // Even the right password is refused while the account is locked.
    const locked = await postJson("/api/auth/login", { email, password }, undefined, {
      "cf-connecting-ip": "10.0.1.1",
    });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(((await locked.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
  });

  it("counts parallel wrong passwords before checking them: 14 at once give 10 x 401 and 4 x 429", async () => {
    const { email } = await signUp();
    const answers = await Promise.all(
      Array.from({ length: 14 }, (_, i) =>
        postJson("/api/auth/login", { email, password: `parallel-wrong-${i}` }, undefined, {
          "cf-connecting-ip": "198.51.100.7",
        }),
      ),
    );
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array(10).fill(401), ...Array(4).fill(429)]);
  });

  it("does not lock the owner out for someone else's guesses: slowed, never locked", async () => {
    const { email, password } = await signUp();
    for (let i = 0; i < 10; i++) {
      const res = await postJson("/api/auth/login", { email, password: `guess-${i}` }, undefined, {
        "cf-connecting-ip": "192.0.2.66",
      });
      expect(res.status).toBe(401);
    }
    // The guesser's own address is out of attempts on this account for the window...
    const guesser = await postJson("/api/auth/login", { email, password: "guess-10" }, undefined, {
      "cf-connecting-ip": "192.0.2.66",
    });
    expect(guesser.status).toBe(429);
    expect(Number(guesser.headers.get("Retry-After"))).toBeGreaterThan(60);
    // ...while the owner, elsewhere, waits seconds (the account's slow-down), not 15 minutes.
    const owner = await postJson("/api/auth/login", { email, password }, undefined, {
      "cf-connecting-ip": "203.0.113.200",
    });
    expect(owner.status).toBe(429);
    expect(Number(owner.headers.get("Retry-After"))).toBeLessThanOrEqual(30);
    // Once that slow-down has passed, the owner signs in (the limiter's clock moved on).
    const { claimLoginAttempt } = await import("../src/limits/login-limiter.ts");
    await expect(claimLoginAttempt(env, email, "203.0.113.200", Date.now() + 31_000)).resolves.toMatchObject({
      email,
    });
  });

  it("does not count successful sign-ins against the address", async () => {
    const { email, password } = await signUp();
    for (let i = 0; i < 55; i++) {
      const res = await postJson("/api/auth/login", { email, password }, undefined, {
        "cf-connecting-ip": "198.51.100.99",
      });
      expect(res.status).toBe(200);
    }
  });

  it("compares passwords in NFC: a composed and a decomposed accent are the same password", async () => {
    const decomposed = "cafe\u0301 au lait 42";
    const { email } = await signUp(undefined, decomposed);
    const composed = decomposed.normalize("NFC");
    expect(composed).not.toBe(decomposed);
    expect((await postJson("/api/auth/login", { email, password: composed })).status).toBe(200);
    expect((await postJson("/api/auth/login", { email, password: decomposed })).status).toBe(200);
  });

  it("limits new accounts per address: 20 in an hour, then 429 with Retry-After, others unaffected", async () => {
    const register = (i: number, ip: string) =>
      postJson(
        "/api/auth/register",
        { email: `bulk${i}-${ip}@example.com`, password: "long enough pw" },
        undefined,
        {
          "cf-connecting-ip": ip,
        },
      );
    const answers = await Promise.all(Array.from({ length: 24 }, (_, i) => register(i, "192.0.2.150")));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array(20).fill(201), ...Array(4).fill(429)]);
    const refused = answers.find((r) => r.status === 429)!;
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(3000);
    expect((await register(99, "192.0.2.151")).status).toBe(201);
  });

  it("never takes the client's address from X-Real-IP or X-Forwarded-For", async () => {
    // A spray over many accounts, each request claiming another address in headers the client
    // writes itself: without CF-Connecting-IP it is all one address, so the address limit (50)
    // stops it. Trusting the headers would give every guess a fresh address and no limit at all.
    let refusedAt = 0;
    for (let i = 1; i <= 60 && !refusedAt; i++) {
      const res = await postJson(
        "/api/auth/login",
        { email: `forged${i}@example.com`, password: "x" },
        undefined,
        {
          "x-real-ip": `10.9.${i}.1`,
          "x-forwarded-for": `10.8.${i}.1`,
        },
      );
      if (res.status === 429) refusedAt = i;
      else expect(res.status).toBe(401);
    }
    expect(refusedAt).toBeGreaterThan(0);
    expect(refusedAt).toBeLessThanOrEqual(51);
  });

  it("limits failed logins per client address across emails", async () => {
    for (let i = 0; i < 50; i++) {
      const res = await postJson(
        "/api/auth/login",
        { email: `spray${i}@example.com`, password: "x" },
        undefined,
        { "cf-connecting-ip": "203.0.113.9" },
      );
      expect(res.status).toBe(401);
    }
    const res = await postJson(
      "/api/auth/login",
      { email: "spray-next@example.com", password: "x" },
      undefined,
      { "cf-connecting-ip": "203.0.113.9" },
    );
    expect(res.status).toBe(429);
    expect(res.headers.get("Retry-After")).toMatch(/^\d+$/);
  });
});

describe("session tokens", () => {
  const b64url = (s: string) => btoa(s).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  const claims = (sub: string, email: string, extra: Record<string, unknown> = {}) => {
    const iat = Math.floor(Date.now() / 1000);
    return { sub, email, iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, iat, exp: iat + 3600, ...extra };
  };

  it("accepts a token signed the right way (control for the cases below)", async () => {
    const { user } = await signUp();
    const token = await sign(claims(user.id, user.email), env.JWT_SECRET!, "HS256");
    expect((await me(token)).status).toBe(200);
  });

  it("rejects a tampered token", async () => {
    const { token, user } = await signUp();
    const [h, , s] = token.split(".");
    const forged = `${h}.${b64url(JSON.stringify(claims(user.id, "admin@example.com")))}.${s}`;
    expect((await me(forged)).status).toBe(401);
  });

  it("rejects an expired token", async () => {
    const { user } = await signUp();
    const past = Math.floor(Date.now() / 1000) - 7200;
    const token = await sign(
      claims(user.id, user.email, { iat: past, exp: past + 60 }),
      env.JWT_SECRET!,
      "HS256",
    );
    const res = await me(token);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: "unauthorized" } });
  });

  it("rejects alg none", async () => {
    const { user } = await signUp();
    const token = `${b64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${b64url(JSON.stringify(claims(user.id, user.email)))}.`;
    expect((await me(token)).status).toBe(401);
  });

  it("rejects a token signed with another secret, another algorithm, issuer or audience", async () => {
    const { user } = await signUp();
    const good = claims(user.id, user.email);
    const tokens = [
      await sign(good, "some-other-secret-that-is-long-enough-000000", "HS256"),
      await sign(good, env.JWT_SECRET!, "HS512"),
      await sign({ ...good, iss: "someone-else" }, env.JWT_SECRET!, "HS256"),
      await sign({ ...good, aud: "another-api" }, env.JWT_SECRET!, "HS256"),
    ];
    for (const token of tokens) expect((await me(token)).status).toBe(401);
  });

  it("rejects a missing or malformed Authorization header", async () => {
    expect((await call("/api/me")).status).toBe(401);
    expect((await call("/api/me", { headers: { Authorization: "Basic abc" } })).status).toBe(401);
    expect((await me("not.a.jwt")).status).toBe(401);
  });
});
