// placeholder replaced by the Future implementation
export class Future {}
