/** Which SQL engine a store runs on, and the few spellings that differ between them. */
export type SqlDialectName = 'sqlite' | 'postgres';
