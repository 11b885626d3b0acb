"""One spider class per source type."""
from crawler.spiders.board import BoardSpider
from crawler.spiders.feed import FeedSpider
from crawler.spiders.naver_api import NaverApiSpider

SPIDERS = {"feed": FeedSpider, "board": BoardSpider, "naver_api": NaverApiSpider}
