// Bundles dist/ into dist/app/ with rolldown.config.mjs through rolldown's API: the CLI would also list
// every chunk (~40 lines at each `npm ci`); this prints only rolldown's warnings and errors.
import { build } from 'rolldown';
import config from '../rolldown.config.mjs';

await build(config);
