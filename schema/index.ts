// The built schema: imports every domain type (for their side effects on the builder).
import { builder } from './builder.ts';
import { servePreparedNodes } from './compiled/prepared.ts';
import './scalars.ts';
import './types/enums.ts';
import './types/agency.ts';
import './types/operation.ts';
import './types/scam-den.ts';
import './types/suspect.ts';
import './types/intercepted-fund.ts';
import './types/submission.ts';
import './types/match.ts';
import './types/disclosure.ts';
import './types/retraction.ts';
import './types/watch.ts';
import './types/event.ts';

builder.queryType({});
builder.mutationType({});

// Record nodes of a compiled read answer from their prepared values (schema/compiled/).
export const schema = servePreparedNodes(builder.toSchema({ sortSchema: false }));
