// What an order must look like; both handler styles check it the same way.
class ValidationError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ValidationError';
    this.status = 400;
  }
}

function validOrder(body) {
  if (body === null || typeof body !== 'object')
    throw new ValidationError('an order is a JSON object');
  const { customer, dish, quantity = 1 } = body;
  if (typeof customer !== 'string' || customer === '')
    throw new ValidationError('"customer" must be a name');
  if (typeof dish !== 'string' || dish === '') throw new ValidationError('"dish" must be a dish');
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > 50) {
    throw new ValidationError('"quantity" must be an integer from 1 to 50');
  }
  return { customer, dish, quantity };
}

module.exports = { ValidationError, validOrder };
