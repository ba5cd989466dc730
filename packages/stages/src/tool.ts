/** Recorded in every manifest and ledger event. */
export const TOOL = { name: 'mlops-actions', version: '0.1.0' } as const;
