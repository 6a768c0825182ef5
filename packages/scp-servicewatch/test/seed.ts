/** The example request body of the CreateCustomLogEvents API page (reference seed 000), verbatim. */
export const SEED_000_REQUEST = {
  resourceLogs: [
    {
      resource: {
        attributes: [
          { key: 'log_stream_value', value: { stringValue: 'a1e2f3045678901a2b3c4d5e6f7a8b81' } },
          { key: 'log_group_value', value: { stringValue: 'b1e2f3045678901a2b3c4d5e6f7a8b81' } },
          { key: 'account_id', value: { stringValue: 'c1e2f3045678901a2b3c4d5e6f7a8b81' } },
        ],
      },
      scopeLogs: [
        {
          logRecords: [{ body: { stringValue: 'level=info otlp test log' }, timeUnixNano: '1762336464000000000' }],
        },
      ],
    },
  ],
};
