"""Django's Redis cache backend, with one client object per connection pool
instead of a new one for every cache call. Django's RedisCacheClient builds
a redis.Redis for each get or set, and building one fills a table of about
170 response callbacks: on a page served from the cache that was an eighth
of the request's time (issue 10). redis.Redis is safe to share between
threads; connections still come from the pool, one per call at a time."""

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients_by_pool", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
