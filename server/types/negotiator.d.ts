/**
 * negotiator 1.x as the response cache uses it. @types/negotiator (0.6) does
 * not know 1.x's second argument: codings the client weighs alike are taken
 * in the server's order of `preferred`.
 */
declare module 'negotiator' {
  class Negotiator {
    constructor(request: { headers: Record<string, string | string[] | undefined> });
    encoding(available: readonly string[], options?: { preferred?: readonly string[] }): string | undefined;
  }
  export = Negotiator;
}
