// The request handlers, fiber style: each runs in the request's fiber and reads like blocking
// code, with no async/await anywhere: save the order, post a ticket to the kitchen, notify the
// customer, answer with the kitchen's estimate.
const http = require('./http-client');
const { orders } = require('./models');
const { validOrder } = require('./validate');

function createHandlers({ kitchenUrl, notifier }) {
  return {
    placeOrder(body) {
      const order = orders.create(validOrder(body));
      let ticket;
      try {
        ticket = http.post(`${kitchenUrl}/tickets`, {
          orderId: order.id,
          dish: order.dish,
          quantity: order.quantity,
        });
      } catch (error) {
        order.status = 'rejected';
        order.save();
        throw error;
      }
      order.status = 'cooking';
      order.estimateMinutes = ticket.estimateMinutes;
      order.save();
      notifier.notify(order.customer, {
        orderId: order.id,
        status: order.status,
        estimateMinutes: order.estimateMinutes,
      });
      return {
        status: 201,
        body: { id: order.id, status: order.status, estimateMinutes: order.estimateMinutes },
      };
    },

    showOrder(id) {
      const order = orders.find(id);
      return order === undefined
        ? { status: 404, body: { error: `no order ${id}` } }
        : { status: 200, body: order };
    },
  };
}

module.exports = { createHandlers };
