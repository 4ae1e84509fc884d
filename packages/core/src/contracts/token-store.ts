import type { CreatedToken, TokenInfo, TokenInput, ValidatedToken } from "../types.js";

/**
 * API tokens. Only a SHA-256 hash of a token is stored; the plaintext is returned once.
 * @see SPEC T3
 */
export interface TokenStore {
  /** Creates a token for the view's tenant; the plaintext is in `token` and nowhere else. */
  create(input: TokenInput): Promise<CreatedToken>;

  /**
   * The token's identity when it is known, unrevoked and unexpired, else null. Works on any view,
   * whatever tenant the token belongs to; compares hashes in constant time.
   */
  validate(token: string): Promise<ValidatedToken | null>;

  /** Revokes a token of the view's tenant; false when absent or already revoked. */
  revoke(id: string): Promise<boolean>;

  /** The view's tenant's tokens, oldest first, without secrets or hashes. */
  list(): Promise<TokenInfo[]>;
}
