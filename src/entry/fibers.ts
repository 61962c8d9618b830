// `fiberscope/fibers`: the drop-in for node-fibers' `fibers` module (the constructor itself).
import './setup';

import Fiber = require('../fiber/compat/fibers');

export = Fiber;
