// `fiberscope/future`: the drop-in for node-fibers' `fibers/future` (the Future class itself).
import './setup';

import Future = require('../fiber/compat/future');

export = Future;
